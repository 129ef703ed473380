"""Photos taken as evidence. The files live in storage (see models/files/storage.py); this row
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
from models.tables.accounts import User
from models.tables.org import Site

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
    # Perceptual hash of the image (signed 64-bit, see models/files/imaging.py).
    phash = BigIntegerField()
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
