"""Storing an uploaded photo: its files first, then its row, once, with whether it looks like
an earlier photo of the site (the same bytes, or a near-identical picture)."""

from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import UUID, uuid4

from models import write_transaction
from models.files.imaging import ProcessedPhoto, hamming
from models.files.storage import PhotoStore
from models.records.store_once import store_once
from models.tables.org import Site
from models.tables.photos import Photo


@dataclass(frozen=True)
class Upload:
    """A checked and processed upload, and what the uploader said of it."""

    site: Site
    user_id: int
    processed: ProcessedPhoto
    byte_size: int
    place: str = ""
    device_id: str = ""
    photo_id: UUID | None = None  # made by the phone, so an offline upload is sent once


@dataclass(frozen=True)
class Stored:
    photo: Photo
    created: bool  # False: this id was stored before (a retry, or someone else's id)
    reused_of: Photo | None
    reuse_distance: int | None


def store_photo(upload: Upload, store: PhotoStore, reuse_since: datetime, max_distance: int):
    """Store the files and the row once; a copy of this upload stored first (a retry) stops at
    the row's insert and answers the stored photo."""
    processed = upload.processed
    # Files first, row second: a crash in between leaves only an unreferenced file, which
    # 'flask photos prune' removes; never a row without its file.
    image_key = store.put(processed.image, ".jpg")
    thumbnail_key = store.put(processed.thumbnail, ".jpg")
    with write_transaction():
        earlier, distance = find_reuse(
            upload.site.id, processed.sha256, processed.phash, reuse_since, max_distance
        )
        photo, created = store_once(
            Photo(
                id=upload.photo_id or uuid4(),
                site=upload.site,
                uploaded_by=upload.user_id,
                captured_at=captured_utc(processed.captured_at, upload.site),
                place=upload.place,
                device_id=upload.device_id,
                image_key=image_key,
                thumbnail_key=thumbnail_key,
                width=processed.width,
                height=processed.height,
                byte_size=upload.byte_size,
                sha256=processed.sha256,
                phash=processed.phash,
                reused_of=earlier,
                reuse_distance=distance,
            )
        )
    return Stored(photo, created, earlier, distance)


def captured_utc(captured: datetime | None, site: Site) -> datetime | None:
    """The camera's time as naive UTC. A camera without an offset writes local time: it is
    taken as the site's zone."""
    if captured is None:
        return None
    local = captured if captured.tzinfo else captured.replace(tzinfo=site.zone)
    return local.astimezone(UTC).replace(tzinfo=None)


def find_reuse(
    site_id: int, sha256: str, phash: int, since, max_distance: int
) -> tuple[Photo | None, int | None]:
    """An earlier photo at the site with the same bytes, or else the nearest perceptually within
    ``max_distance`` bits, uploaded since ``since``: (photo, distance) or (None, None).

    The near-duplicate search compares the hash of every photo of the site in the window in
    Python (about a microsecond each); the window bounds it (a site uploads hundreds a day).
    """
    same = (
        Photo.select()
        .where((Photo.site == site_id) & (Photo.sha256 == sha256))
        .order_by(Photo.uploaded_at)
        .first()
    )
    if same is not None:
        return same, 0
    best, best_distance = None, None
    candidates = (
        Photo.select(Photo.id, Photo.phash)
        .where((Photo.site == site_id) & (Photo.uploaded_at >= since))
        .order_by(Photo.uploaded_at)
        .tuples()
    )
    for photo_id, other in candidates:
        distance = hamming(other, phash)
        if distance <= max_distance and (best_distance is None or distance < best_distance):
            best, best_distance = photo_id, distance
    return (Photo.get_by_id(best), best_distance) if best is not None else (None, None)
