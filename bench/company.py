"""The company-scale simulation: a property company of 100,000 staff over 3,000 sites with a
year of history (about 40 million patrol scans), or a fraction of it, on PostgreSQL, fast.

    python bench/company.py --fraction 1/64 --postgres URL [--workers 2] [--months 12]

With --postgres the company is made in a scratch database on that server and dropped at the
end (a dry run: how long the size takes and what it makes); bench/scale.py imports
``generate`` to build the company it measures.

The company is models/demo/generator.py's (the same sites, teams, staff, accounts, checkpoints and
routes, judged rounds with their scans, scored inspections with their items, greeting shifts
with their check-in and check-out), made site by site with its per-site random streams, so a
site is the same whichever process makes it. Two things differ:

  - rows go in with ``COPY ... FROM STDIN`` (psycopg2 ``copy_expert`` from an in-memory
    buffer) instead of multi-row INSERTs: the server parses no statement and no parameters;
  - a patrol round every 6 hours instead of every 2 (``ROUND_EVERY``), so the full company
    makes ~40 million scans a year, the volume the issue names (the demo's 2-hourly rounds
    would make ~130 million).

Staff are spread evenly: 100,000 over 3,000 sites is 33 or 34 a site. ``--workers`` makes
the sites in that many processes at once (each its own connection; ids come from the
sequences, so the processes never clash).
"""

from __future__ import annotations

import argparse
import io
import multiprocessing
import os
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from fractions import Fraction

from common import ROOT, add_common_arguments, is_postgres_url, scratch_postgres

sys.path.insert(0, str(ROOT))

FULL_STAFF = 100_000
FULL_SITES = 3_000
MONTHS = 12
ROUND_EVERY_MINUTES = 360  # 4 rounds of 10 checkpoints a day: ~40 million scans a year at full size
FRACTIONS = ("1/64", "1/16", "1/4", "1")

# COPY's text format with NULL written as Python writes None: a row is its values' str() joined
# by tabs (datetimes as 2026-01-01 08:00:00, booleans as True/False, both of which PostgreSQL
# reads), backslashes doubled. No generated text holds a tab or a line break (JSON is dumped
# with escapes); each buffer is checked for that before it is sent.
COPY_OPTIONS = "(FORMAT text, NULL 'None')"


def company_size(fraction: str | Fraction) -> tuple[int, int]:
    """(sites, staff) of a fraction of the full company, at least one site."""
    share = Fraction(fraction)
    sites = max(1, round(FULL_SITES * share))
    return sites, round(FULL_STAFF * share)


def staff_of_site(index: int, sites: int, staff: int) -> int:
    """Staff of the ``index``-th site (0-based) when ``staff`` are spread over ``sites``."""
    return staff // sites + (index < staff % sites)


def _copy_bulk():
    """A models.demo.generator._Bulk that writes with COPY (same columns, same defaults)."""
    from models import db
    from models.demo.generator import _Bulk

    class CopyBulk(_Bulk):
        def __init__(self, model, names):
            super().__init__(model, names)
            columns = ", ".join(f'"{field.column_name}"' for field in self.fields)
            self.sql = f'COPY "{self.table}" ({columns}) FROM STDIN {COPY_OPTIONS}'

        def insert(self, rows: list[tuple]) -> int:
            extra = self.extra
            text = "\n".join(["\t".join(map(str, row + extra)) for row in rows])
            if (
                text.count("\t") != len(rows) * (self.width - 1)
                or text.count("\n") != len(rows) - 1
            ):
                raise ValueError(f"{self.table}: a value holds a tab or a line break")
            buffer = io.StringIO(text.replace("\\", "\\\\") + "\n")
            with db.connection().cursor() as cursor:
                cursor.copy_expert(self.sql, buffer)
            return len(rows)

    return CopyBulk


def _worker(job: tuple) -> Counter:
    """Make the sites ``numbers`` (in a process of its own when there are several workers)."""
    url, numbers, sizes, months, end_month, seed, now, queue = job
    from api import create_app
    from models import db, write_transaction
    from models.demo import generator

    generator.ROUND_EVERY = ROUND_EVERY_MINUTES
    app = create_app({"DATABASE_URL": url, "ACCESS_LOG": False})
    counts: Counter = Counter()
    with app.app_context():
        company = generator._Company(
            now, generator._month_list(end_month, months), seed, sizes[0], lambda _: None
        )
        # Foreign keys unchecked while loading (as pg_restore --disable-triggers), when the
        # account may: every generated row refers to rows made before it.
        unchecked = (
            is_postgres_url(url)
            and db.execute_sql(
                "SELECT rolsuper FROM pg_roles WHERE rolname = current_user"
            ).fetchone()[0]
        )
        if is_postgres_url(url):
            bulk = _copy_bulk()
            company.bulk = {
                name: bulk(old.model, [f.name for f in old.fields[: old.width - len(old.extra)]])
                for name, old in company.bulk.items()
            }
        for number, staff in zip(numbers, sizes, strict=True):
            company.staff_per_site = staff
            before = company.counts.copy()
            with write_transaction():
                if unchecked:
                    db.execute_sql("SET LOCAL session_replication_role = replica")
                company.site(number)
            made = company.counts - before
            counts += made
            if queue is not None:
                queue.put(dict(made))
    app.extensions["xunjian"]["database"].close_all()
    return counts


class Progress:
    """One line on stderr, rewritten in place: sites done, rows made, rate, time left."""

    def __init__(self, sites: int, stream=sys.stderr):
        self.sites, self.stream, self.start = sites, stream, time.perf_counter()
        self.done, self.counts, self.last = 0, Counter(), 0.0

    def site_done(self, made: dict) -> None:
        self.done += 1
        self.counts.update(made)
        now = time.perf_counter()
        if now - self.last < 0.5 and self.done < self.sites:
            return
        self.last = now
        elapsed = now - self.start
        rows = sum(self.counts.values())
        left = elapsed / self.done * (self.sites - self.done)
        width = 30
        filled = width * self.done // self.sites
        self.stream.write(
            f"\r[{'#' * filled}{'.' * (width - filled)}] {self.done:,}/{self.sites:,} sites, "
            f"{self.counts['scan']:,} scans, {rows:,} rows, {rows / elapsed:,.0f} rows/s, "
            f"{elapsed:.0f} s, ~{left:.0f} s left "
        )
        if self.done == self.sites:
            self.stream.write("\n")
        self.stream.flush()


def generate(
    url: str,
    fraction: str,
    *,
    months: int = MONTHS,
    end_month: int | None = None,
    seed: int = 1,
    workers: int = 1,
    progress: bool = True,
) -> dict:
    """Make the company of ``fraction`` of full size in the (schema-ready, checklists-synced)
    database ``url``, sites G0001...; returns the rows made per table."""
    from zoneinfo import ZoneInfo

    from models import utcnow
    from models.demo.generator import ZONE

    sites, staff = company_size(fraction)
    now = utcnow()
    if end_month is None:
        local = now.replace(tzinfo=ZoneInfo("UTC")).astimezone(ZoneInfo(ZONE))
        end_month = local.year * 100 + local.month
    numbers = list(range(1, sites + 1))
    sizes = [staff_of_site(i, sites, staff) for i in range(sites)]
    meter = Progress(sites) if progress else None
    workers = max(1, min(workers, sites))
    if workers == 1:
        queue = _Relay(meter)
        return dict(_worker((url, numbers, sizes, months, end_month, seed, now, queue)))
    context = multiprocessing.get_context("spawn")
    manager = context.Manager()
    queue = manager.Queue()
    jobs = [
        (url, numbers[w::workers], sizes[w::workers], months, end_month, seed, now, queue)
        for w in range(workers)
    ]
    total: Counter = Counter()
    with context.Pool(workers) as pool:
        result = pool.map_async(_worker, jobs)
        while not result.ready() or not queue.empty():
            try:
                made = queue.get(timeout=0.2)
            except Exception:  # queue.Empty from the manager's proxy
                continue
            if meter is not None:
                meter.site_done(made)
        for counts in result.get():
            total += counts
    manager.shutdown()
    return dict(total)


class _Relay:
    """The queue of the one-process case: straight to the progress line."""

    def __init__(self, meter: Progress | None):
        self.meter = meter

    def put(self, made: dict) -> None:
        if self.meter is not None:
            self.meter.site_done(made)


def prepare(url: str) -> None:
    """The schema and the checklists in an empty database."""
    from api import create_app
    from models.tables.checklists import sync_checklists
    from models.tables.schema import upgrade

    app = create_app({"DATABASE_URL": url, "ACCESS_LOG": False})
    with app.app_context():
        upgrade()
        sync_checklists(app.extensions["xunjian"]["checklists"])
    app.extensions["xunjian"]["database"].close_all()


@contextmanager
def generated_company(
    server: str, fraction: str, name: str, *, months: int = MONTHS, workers: int = 1
) -> Iterator[tuple[str, str, dict, float]]:
    """A scratch database on ``server`` holding the company of ``fraction``, dropped
    afterwards; yields its URL, the app's instance folder, the rows made per table and the
    seconds the generation took."""
    sites, staff = company_size(fraction)
    print(f"\ncompany {fraction}: {staff:,} staff over {sites:,} sites", file=sys.stderr)
    with (
        tempfile.TemporaryDirectory(prefix=f"{name}-") as tmp,
        scratch_postgres(server, name) as url,
    ):
        os.environ["XUNJIAN_INSTANCE_PATH"] = tmp
        prepare(url)
        start = time.perf_counter()
        counts = generate(url, fraction, months=months, workers=workers)
        yield url, tmp, counts, time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--fraction", default="1/64", help="of the full company: 1/64, 1/16, …")
    parser.add_argument("--months", type=int, default=MONTHS)
    parser.add_argument("--workers", type=int, default=1, help="processes making sites")
    add_common_arguments(parser)
    args = parser.parse_args()
    server = args.postgres or os.environ.get("DATABASE_URL")
    if not is_postgres_url(server):
        parser.error("needs --postgres URL (or DATABASE_URL): the simulation is for PostgreSQL")
    with generated_company(server, args.fraction, "company", months=args.months,
                           workers=args.workers) as (_, _, counts, took):  # fmt: skip
        pass
    rows = sum(counts.values())
    print(f"{rows:,} rows in {took:.1f} s ({rows / took:,.0f} rows/s)")
    for table, count in sorted(counts.items(), key=lambda kv: -kv[1]):
        print(f"  {table:<18} {count:>12,}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
