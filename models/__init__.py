"""Database models.

The database is created unbound (a proxy) and bound by the application factory, so the
same models serve SQLite (the embedded default) and PostgreSQL (``DATABASE_URL``).
Nothing here imports Flask: ``init_app`` only needs an object with a ``config`` mapping
and the ``appcontext_pushed`` signal is wired by ``api``.
"""

from datetime import UTC, datetime
from urllib.parse import urlsplit

from peewee import DatabaseProxy, Model, SqliteDatabase
from playhouse.db_url import connect

db = DatabaseProxy()

# WAL lets readers run beside the single writer; NORMAL synchronous is durable against a
# crashed process (the WAL is on disk), which is the failure this product must survive.
SQLITE_PRAGMAS = {
    "journal_mode": "wal",
    "foreign_keys": 1,
    "cache_size": -32000,
    "synchronous": "normal",
    "busy_timeout": 10000,
}


def utcnow() -> datetime:
    """The current time in UTC, naive, as every timestamp is stored."""
    return datetime.now(UTC).replace(tzinfo=None)


class BaseModel(Model):
    class Meta:
        database = db
        legacy_table_names = False


def make_database(url: str, *, max_connections: int = 8):
    """Open a pooled database from a URL.

    A pool keeps connections open between requests: on SQLite that avoids a WAL checkpoint
    on every request (2.3x faster, see shared/PERFORMANCE.md); on PostgreSQL it avoids a new
    backend per request (5-6x faster).
    """
    scheme = urlsplit(url).scheme
    if scheme == "sqlite":
        return connect(
            url.replace("sqlite://", "sqlite+pool://", 1),
            pragmas=SQLITE_PRAGMAS,
            timeout=10,
            max_connections=max_connections,
            stale_timeout=600,
            check_same_thread=False,
        )
    if scheme in ("postgres", "postgresql"):
        return connect(
            url.replace(f"{scheme}://", "postgresql+pool://", 1),
            max_connections=max_connections,
            stale_timeout=600,
        )
    raise ValueError(f"unsupported DATABASE_URL scheme {scheme!r}: use sqlite:// or postgresql://")


def is_sqlite() -> bool:
    return isinstance(db.obj, SqliteDatabase)


def write_transaction():
    """A transaction for work that reads and then writes.

    On SQLite it takes the write lock at BEGIN (IMMEDIATE), so it waits for the busy timeout
    instead of failing with 'database is locked' when it upgrades from reader to writer.
    """
    if is_sqlite():
        return db.obj.atomic("IMMEDIATE")
    return db.obj.atomic()
