"""SQLite's write lock, waited for in short steps.

SQLite lets one connection write at a time, and a transaction that reads and then writes takes
the lock at BEGIN (IMMEDIATE, see ``models.write_transaction``). When another process holds
it, SQLite's own busy handler sleeps 1 ms, then 2, 5, 10 ms and longer before trying again,
although a scan holds the lock for only ~0.3 ms. Under load, two gunicorn workers ingesting
scans then did less than one (645 against 922 scans/s): the second mostly slept. Here the lock
is tried every 0.1 ms instead (a failed try costs a few µs), up to the same busy timeout, so a
waiting worker takes the lock soon after it is free. Nothing else changes: the same IMMEDIATE
transaction, and after BEGIN the connection's usual busy timeout again.
"""

import sys
import time
from contextlib import contextmanager

from peewee import OperationalError

from models import SQLITE_PRAGMAS, db, is_sqlite
from models import write_transaction as _write_transaction

STEP_SECONDS = 0.0001
# The first key of PostgreSQL's two-key advisory locks taken by site_scans_lock (any constant
# no other lock of ours uses).
SCAN_LOCK_KEY = 1001


@contextmanager
def write_transaction():
    """``models.write_transaction()``, but on SQLite, outside any transaction, the write lock
    is waited for in 0.1 ms steps."""
    database = db.obj
    if not is_sqlite() or database.in_transaction():
        with _write_transaction():
            yield
        return
    transaction = _begin_immediate(database)
    try:
        yield
    except BaseException:
        if not transaction.__exit__(*sys.exc_info()):
            raise
    else:
        transaction.__exit__(None, None, None)


def _begin_immediate(database):
    """An entered ``atomic('IMMEDIATE')``. A BEGIN that fails leaves peewee's transaction
    stack untouched (peewee pushes the transaction only after BEGIN succeeded)."""
    busy_timeout_ms = SQLITE_PRAGMAS["busy_timeout"]
    deadline = time.monotonic() + busy_timeout_ms / 1000
    database.execute_sql("PRAGMA busy_timeout = 0")
    try:
        while True:
            transaction = database.atomic("IMMEDIATE")
            try:
                transaction.__enter__()
                return transaction
            except OperationalError as error:
                if "locked" not in str(error) or time.monotonic() >= deadline:
                    raise
            time.sleep(STEP_SECONDS)
    finally:
        database.execute_sql(f"PRAGMA busy_timeout = {busy_timeout_ms}")


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
