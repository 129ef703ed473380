"""Each site's signing key for its printed codes, created on first use and rotated on demand."""

import secrets

from peewee import IntegrityError, fn

from models import db, write_transaction
from models.tables.patrols import SiteKey


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


def key_secret(site_id: int, version: int) -> bytes | None:
    """The secret of one key version of a site (None if the site has no such version).

    A version's secret never changes, so each process keeps the ones it has read — beside the
    database they came from (two apps in one process have two databases)."""
    cache = db.obj.__dict__.setdefault("_site_key_secrets", {})
    secret = cache.get((site_id, version))
    if secret is None:
        key = SiteKey.get_or_none((SiteKey.site == site_id) & (SiteKey.version == version))
        if key is None:
            return None
        secret = cache[(site_id, version)] = bytes.fromhex(key.secret)
    return secret


def newest_version(site_id: int) -> int:
    """The site's current key version (0 when it has none yet)."""
    return SiteKey.select(fn.MAX(SiteKey.version)).where(SiteKey.site == site_id).scalar() or 0
