"""Photos taken as evidence. The files live in storage (see models/storage.py); this row
holds what the product knows about them: whose, where, hashes for reuse detection, and the
thing they are evidence for."""

from peewee import (
    BigIntegerField,
    CharField,
    DateTimeField,
    ForeignKeyField,
    IntegerField,
    UUIDField,
)

from models import BaseModel, utcnow
from models.accounts import User
from models.imaging import hamming
from models.org import Site

OWNER_TYPES = ("inspection", "rectification", "scan", "anomaly", "coaching", "shift")


class Photo(BaseModel):
    id = UUIDField(primary_key=True)  # made by the phone, so an offline upload is sent once
    site = ForeignKeyField(Site, on_delete="RESTRICT")
    uploaded_by = ForeignKeyField(User, on_delete="RESTRICT")
    uploaded_at = DateTimeField(default=utcnow)
    captured_at = DateTimeField(null=True)  # from the camera's EXIF, UTC when it had an offset
    place = CharField(max_length=200, default="")  # what the stamp says: area or checkpoint
    device_id = CharField(max_length=64, default="")
    image_key = CharField(max_length=120)
    thumbnail_key = CharField(max_length=120)
    width = IntegerField()
    height = IntegerField()
    byte_size = IntegerField()
    sha256 = CharField(max_length=64)  # of the uploaded bytes
    phash = BigIntegerField()  # perceptual hash of the image (signed 64-bit, see models/imaging.py)
    reused_of = ForeignKeyField("self", null=True, on_delete="SET NULL")
    reuse_distance = IntegerField(null=True)  # 0 = the same bytes
    owner_type = CharField(max_length=16, null=True)
    owner_id = CharField(max_length=64, null=True)

    class Meta:
        indexes = (
            (("site", "sha256"), False),
            (("site", "uploaded_at"), False),
            (("owner_type", "owner_id"), False),
        )


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


def photo_briefs(photo_ids: list[str]) -> dict[str, dict]:
    """What a list shows of each photo: its links and whether it looks reused (one query)."""
    if not photo_ids:
        return {}
    rows = Photo.select(Photo.id, Photo.reused_of, Photo.reuse_distance).where(
        Photo.id.in_(photo_ids)
    )
    return {
        str(p.id): {
            "id": str(p.id),
            "reused": p.reuse_distance is not None,
            "reused_of_id": str(p.reused_of_id) if p.reused_of_id else None,
            "image_url": f"/api/photos/{p.id}/image",
            "thumbnail_url": f"/api/photos/{p.id}/thumbnail",
        }
        for p in rows
    }
