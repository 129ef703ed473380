"""Database models.

The database is created unbound (a proxy) and bound by the application factory, so the
same models serve SQLite (the embedded default) and PostgreSQL (``DATABASE_URL``).
Nothing here imports Flask: ``init_app`` only needs an object with a ``config`` mapping
and the ``appcontext_pushed`` signal is wired by ``api``.

The folders, each with a docstring saying what lives there and what it may import:

    models/           the database (this file) and what every layer uses: write_lock.py
                      (SQLite's writers' queue), tick_lock.py (one tick at a time on several
                      servers), refused.py (the one refusal, answered as 422)
    models/rules/     the domain rules as plain functions: no Flask, no peewee, no I/O
    models/tables/    the tables and their migrations
    models/files/     files in and out: photos, labels, charts, workbooks, checklist files,
                      photo storage, backups
    models/records/   record-keeping: a request's or a tick's work across tables
    models/demo/      the demo company and the scale generator, apart from the product

Imports go one way: records -> tables, files -> rules, and nothing imports records but
``api`` (and demo).
"""

import json
import time
from datetime import UTC, datetime
from urllib.parse import urlsplit

from peewee import SQL, DatabaseProxy, Model, SqliteDatabase, TextField
from playhouse.db_url import connect, parse
from playhouse.pool import PooledPostgresqlDatabase

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


class JSONField(TextField):
    """A list or mapping kept as JSON text, the same column on SQLite and PostgreSQL (a scan's
    flags, a round's stops, the photo ids of an answer): Python values in, Python values out.
    Chinese is kept as written, not escaped. In a query, ``Scan.flags == JSONField.EMPTY_LIST``
    asks for no flags (a Python list there would be taken for an IN list)."""

    EMPTY_LIST = SQL("'[]'")

    def db_value(self, value):
        return None if value is None else json.dumps(value, ensure_ascii=False)

    def python_value(self, value):
        return None if value is None else json.loads(value)


class PostgresPool(PooledPostgresqlDatabase):
    """peewee's PostgreSQL pool without a round trip at every check-out.

    peewee pings an idle connection (``SELECT 1``) each time it hands it out, because the
    driver's state flag is local. Under load a connection comes back to the pool and goes out
    again within milliseconds, so the ping was one more round trip on every request (a scan
    makes about ten). A connection returned idle within the last ``TRUSTED_FOR`` seconds is
    handed out without it; an older one is still pinged. A connection the server dropped in
    that window fails its request once and is then discarded on check-in (its state is
    unknown), as peewee would discard it."""

    TRUSTED_FOR = 10.0

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._returned_at: dict = {}

    def _can_reuse(self, conn) -> bool:
        reusable = super()._can_reuse(conn)
        if reusable:
            self._returned_at[self.conn_key(conn)] = time.monotonic()
        return reusable

    def _is_closed(self, conn) -> bool:
        returned = self._returned_at.pop(self.conn_key(conn), None)
        if (
            returned is not None
            and time.monotonic() - returned < self.TRUSTED_FOR
            and not conn.closed
            and self._adapter.txn_status(conn) == self._adapter.txn_idle
        ):
            return False
        return super()._is_closed(conn)


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
        return PostgresPool(**parse(url), max_connections=max_connections, stale_timeout=600)
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
