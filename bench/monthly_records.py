"""Benchmark: HR's monthly records on a generated company, on the embedded database or
PostgreSQL.

    python bench/monthly_records.py [--sites 50] [--staff 100] [--months 12]
                                    [--postgres URL] [--summary FILE]

Builds a company with models/demo/generator.py (default: 50 sites, 5,000 staff, one year: about
200,000 inspections with their item rows, 2,000,000 patrol scans and the year's greeting
shifts) in a SQLite file, or with --postgres in a scratch database on that server, then times,
for the last month:
  - one site-month of records (models.records.monthly.month_records for one site),
  - the company-wide month summary (records of every site rolled up per site),
  - the company-wide Excel export (every site's sheet + the summary, openpyxl streaming),
each as the median of several runs, side by side with a baseline in the same run: a bare
indexed COUNT over the month's inspections of one site (the floor of any aggregate).
Goals: site-month and summary under 300 ms, export under 10 s.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

from common import (
    ROOT,
    add_common_arguments,
    bench_database,
    database_label,
    emit,
    emit_setup,
    goal,
    median_ms,
)

sys.path.insert(0, str(ROOT))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sites", type=int, default=50)
    parser.add_argument("--staff", type=int, default=100, help="staff per site")
    parser.add_argument("--months", type=int, default=12)
    parser.add_argument("--runs", type=int, default=5)
    add_common_arguments(parser)
    args = parser.parse_args()

    with (
        tempfile.TemporaryDirectory(prefix="monthly-bench-") as tmp,
        bench_database(args.postgres, Path(tmp), "monthly") as url,
    ):
        os.environ["XUNJIAN_INSTANCE_PATH"] = tmp
        from api import create_app
        from models import db
        from models.demo.generator import generate_company
        from models.records.monthly import month_records, rollup, write_month_workbook
        from models.tables.checklists import sync_checklists
        from models.tables.inspections import Inspection
        from models.tables.org import Site
        from models.tables.schema import upgrade

        app = create_app({"DATABASE_URL": url, "ACCESS_LOG": False})
        settings = app.extensions["xunjian"]["scoring"]
        with app.app_context():
            upgrade()
            sync_checklists(app.extensions["xunjian"]["checklists"])
            start = time.perf_counter()
            counts = generate_company(
                sites=args.sites,
                staff_per_site=args.staff,
                months=args.months,
                progress=lambda message: print(message, file=sys.stderr),
            )
            built = time.perf_counter() - start
            db.execute_sql("ANALYZE")
            month = Inspection.select(Inspection.month).order_by(Inspection.month.desc()).scalar()
            sites = list(Site.select().order_by(Site.id))
            one = sites[len(sites) // 2].id
            all_ids = [s.id for s in sites]

            baseline = median_ms(
                lambda: (
                    Inspection.select()
                    .where((Inspection.month == month) & (Inspection.site == one))
                    .count()
                ),
                args.runs,
            )
            site_month = median_ms(lambda: month_records(month, [one], settings), args.runs)
            summary = median_ms(
                lambda: rollup(month_records(month, all_ids, settings), "site_id"), args.runs
            )

            def export():
                path = Path(tmp) / "export.xlsx"
                write_month_workbook(path, month, all_ids, settings)
                return path.stat().st_size

            export_ms = median_ms(export, max(1, args.runs // 2))
            size = export()
        app.extensions["xunjian"]["database"].close_all()

    database = database_label(url)
    setup = (
        f"{args.sites} sites x {args.staff} staff, {args.months} months, "
        f"built in {built:.0f} s: " + ", ".join(f"{k} {v:,}" for k, v in counts.items())
    )
    print()
    print(f"company: {setup}")
    print()
    print(f"| what (month {month}, {database}) | median | goal |")
    print("|---|---:|---|")
    print(
        f"| baseline: indexed COUNT of one site's inspections in the month | {baseline:.1f} ms | |"
    )
    print(f"| one site-month of records | {site_month:.1f} ms | < 300 ms |")
    print(f"| company-wide month summary ({len(all_ids)} sites) | {summary:.1f} ms | < 300 ms |")
    print(f"| company-wide Excel export ({size // 1024} KiB) | {export_ms / 1000:.2f} s | < 10 s |")

    emit_setup(args.summary, "monthly records", database, f"generated company: {setup}")
    count = "indexed COUNT of the site-month's inspections"
    under_300ms = [goal("product", "<", 300)]
    emit(
        args.summary,
        "one site-month of records",
        database,
        site_month,
        "ms",
        goals=under_300ms,
        baseline=baseline,
        baseline_label=count,
    )
    sites = len(all_ids)
    for measure, value, unit, limit in (
        (f"company month summary ({sites} sites)", summary, "ms", 300),
        (f"company month Excel export ({sites} site sheets + summary)", export_ms / 1000, "s", 10),
    ):
        emit(args.summary, measure, database, value, unit, goals=[goal("product", "<", limit)])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
