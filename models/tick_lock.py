"""One minute tick at a time, however many servers run it.

Every app server may run ``flask tick`` from its own cron (or an embedded runner): no server
is special, and the tick goes on while any of them is up. The tick makes rounds, judges
closed rounds and greeting shifts and queues alerts; two ticks at once could make a round
twice or post an alert twice. So a tick first takes the *tick lock*, without waiting: the
tick that gets it does the work, another one started at the same moment skips (it would find
nothing left to do a moment later anyway), and the next minute's tick takes it again.

- **PostgreSQL**: a session-level advisory lock, ``pg_try_advisory_lock(TICK_LOCK_KEY, 0)``,
  on the tick's connection. The server releases it when the tick lets go or its connection
  ends (a killed process, a lost network): it can never be left behind.
- **SQLite** (one machine, several processes): an exclusive, non-blocking ``flock`` on a file
  beside the database (``<database>-tick``), released with its file descriptor, also when a
  process dies.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager, suppress

from peewee import DatabaseError, InterfaceError

from models import db, is_sqlite

# The first key of the two-key advisory lock (models/write_lock.py's SCAN_LOCK_KEY is 1001,
# with the site id as the second key).
TICK_LOCK_KEY = 1002


@contextmanager
def tick_turn() -> Iterator[bool]:
    """Hold the tick lock for the block if no other tick holds it: yields True when this tick
    may work, False when another is running (then do nothing). Use inside a connection
    context: the PostgreSQL lock belongs to the connection."""
    if is_sqlite():
        with file_turn(db.obj.database, "-tick") as mine:
            yield mine
        return
    database = db.obj
    (acquired,) = database.execute_sql(
        "SELECT pg_try_advisory_lock(%s, 0)", (TICK_LOCK_KEY,)
    ).fetchone()
    try:
        yield bool(acquired)
    finally:
        if acquired:
            # A broken connection has lost the lock already (and raised its own error).
            with suppress(DatabaseError, InterfaceError):
                database.execute_sql("SELECT pg_advisory_unlock(%s, 0)", (TICK_LOCK_KEY,))


@contextmanager
def file_turn(database_path: str, suffix: str) -> Iterator[bool]:
    """A non-blocking exclusive ``flock`` on the file ``<database><suffix>``: yields whether
    this holder got it. ``flock`` excludes open files, so two threads exclude each other too."""
    if database_path in ("", ":memory:") or database_path.startswith("file:"):
        yield True  # an in-memory database lives in one process
        return
    fd = os.open(f"{database_path}{suffix}", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        yield True
    finally:
        os.close(fd)  # releases the lock
