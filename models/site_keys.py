"""Each site's signing key for its printed codes, created on first use and rotated on demand."""

import secrets

from peewee import IntegrityError

from models import write_transaction
from models.patrols import SiteKey


def current_key(site_id: int) -> SiteKey:
    """The site's newest key, made on first use (two workers racing make it once)."""
    key = SiteKey.select().where(SiteKey.site == site_id).order_by(SiteKey.version.desc()).first()
    if key is not None:
        return key
    try:
        with write_transaction():
            return SiteKey.create(site=site_id, version=1, secret=secrets.token_bytes(32).hex())
    except IntegrityError:
        return SiteKey.get((SiteKey.site == site_id) & (SiteKey.version == 1))


def rotate_key(site_id: int) -> SiteKey:
    """A new key version: every label printed before stops working."""
    with write_transaction():
        latest = current_key(site_id)
        return SiteKey.create(
            site=site_id, version=latest.version + 1, secret=secrets.token_bytes(32).hex()
        )


def key_version(site_id: int, version: int) -> SiteKey | None:
    return SiteKey.get_or_none((SiteKey.site == site_id) & (SiteKey.version == version))
