"""SQLite's write lock, waited for in a queue the kernel keeps.

SQLite lets one connection write at a time, and a transaction that reads and then writes takes
the lock at BEGIN (IMMEDIATE, see ``models.write_transaction``). When another process holds
it, SQLite's own busy handler sleeps 1 ms, then 2, 5, 10 ms and longer before trying again,
although a scan holds the lock for only ~0.3 ms. Under load, two gunicorn workers ingesting
scans then did less than one (645 against 922 scans/s): the second mostly slept.

So the writers that matter under load (scans) first take an exclusive ``flock`` on a file
beside the database, and only then BEGIN IMMEDIATE. Waiting for a ``flock`` costs no CPU and
ends the moment the holder lets go. BEGIN then almost always finds SQLite's lock free; when a
writer outside the queue holds it (a command, an ordinary request's write), the connection's
usual busy timeout applies as everywhere else. The lock is released with its file descriptor,
also when a process dies, so it can never be left behind.
"""

import fcntl
import os
from contextlib import contextmanager

from models import db, is_sqlite, write_transaction

# The first key of PostgreSQL's two-key advisory locks taken by site_scans_lock (any constant
# no other lock of ours uses).
SCAN_LOCK_KEY = 1001


@contextmanager
def queued_write_transaction():
    """``models.write_transaction()``; on SQLite, outside any transaction, it first waits its
    turn in the writers' queue (see above)."""
    database = db.obj
    if not is_sqlite() or database.in_transaction():
        with write_transaction():
            yield
        return
    with writers_turn(database.database), write_transaction():
        yield


def writers_queue_path(database_path: str) -> str | None:
    """The file whose lock queues the writers of a SQLite database file (None in memory)."""
    if database_path in ("", ":memory:") or database_path.startswith("file:"):
        return None
    return f"{database_path}-writers"


@contextmanager
def writers_turn(database_path: str):
    """Hold the database's writers' lock. Each call opens the file afresh: ``flock`` excludes
    open files, not processes, so two threads of one process take turns as well."""
    path = writers_queue_path(database_path)
    if path is None:
        yield
        return
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # releases the lock


def site_scans_lock(site_id: int) -> None:
    """Within a write transaction, wait until no other transaction is recording a scan or
    judging a round at this site, until this one ends.

    A scan's checks read the scans before it (the same guard's duplicate within a minute,
    another phone at the checkpoint) and its round, then write; the minute tick rewrites the
    rounds it judges. On SQLite the IMMEDIATE transaction already holds the database's only
    write lock, so nothing more is needed. On PostgreSQL two transactions would both read
    before either writes: two simultaneous scans could both pass the duplicate check, and one
    scan's flags on a round could overwrite another's. A transaction-scoped advisory lock per
    site makes them take turns (a site's guards send a few scans a second at most; other sites
    go on side by side). One lock per site, not per checkpoint and round: a transaction that
    takes several (a batch) takes them in site order, so two can never wait for each other."""
    site_scans_locks([site_id])


def site_scans_locks(site_ids) -> None:
    """site_scans_lock for several sites, taken in order (see there)."""
    if not is_sqlite():
        for site_id in sorted(set(site_ids)):
            db.obj.execute_sql("SELECT pg_advisory_xact_lock(%s, %s)", (SCAN_LOCK_KEY, site_id))
