"""Benchmark: a supervisor's to-do 今日待检 (inspection plans, issue 21) on a generated company,
on the embedded database or PostgreSQL.

    python bench/plans_todo.py [--sites 50] [--staff 100] [--months 2] [--supervised 20]
                               [--postgres URL] [--summary FILE]

Builds a company with models/demo/generator.py (default: 50 sites, 5,000 staff, two months of
history ending this month) and gives a supervisor ``--supervised`` of its sites (service grades
1, 2, 3 in turn), then times, as the median of several runs:
  - the supervisor's to-do (models.records.plans.sites_todo: the plan items of every area and person
    of those sites and the inspections counted today, this week and this month),
  - the same sites' month coverage (done against planned, the people and areas not covered),
side by side with a baseline in the same run: a bare indexed COUNT of those sites' inspections
this month (the floor of any aggregate over them). Goal: the to-do under 100 ms.
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
    parser.add_argument("--months", type=int, default=2)
    parser.add_argument("--supervised", type=int, default=20, help="the supervisor's sites")
    parser.add_argument("--runs", type=int, default=7)
    add_common_arguments(parser)
    args = parser.parse_args()

    with (
        tempfile.TemporaryDirectory(prefix="plans-bench-") as tmp,
        bench_database(args.postgres, Path(tmp), "plans") as url,
    ):
        os.environ["XUNJIAN_INSTANCE_PATH"] = tmp
        from api import create_app
        from models import db, utcnow
        from models.demo.generator import generate_company
        from models.records.plans import local_today, month_counts, plan_items, sites_todo
        from models.rules.plans import coverage
        from models.tables.checklists import sync_checklists
        from models.tables.inspections import Inspection
        from models.tables.org import Site
        from models.tables.schema import upgrade

        app = create_app({"DATABASE_URL": url, "ACCESS_LOG": False})
        rules = app.extensions["xunjian"]["plans"]
        closing_day = app.extensions["xunjian"]["scoring"].closing_day
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
            sites = list(Site.select().order_by(Site.id).limit(args.supervised))
            for index, site in enumerate(sites):
                site.service_grade = 1 + index % 3
                site.save()
            db.execute_sql("ANALYZE")
            ids = [s.id for s in sites]
            now = utcnow()
            today = local_today(sites[0].zone, now)
            month = today.year * 100 + today.month

            baseline = median_ms(
                lambda: (
                    Inspection.select()
                    .where((Inspection.month == month) & Inspection.site.in_(ids))
                    .count()
                ),
                args.runs,
            )
            found = sites_todo(rules, sites, now, closing_day)
            todo_ms = median_ms(lambda: sites_todo(rules, sites, now, closing_day), args.runs)

            def month_coverage():
                items = plan_items(rules, ids)
                done = month_counts(ids, month)
                year, number = divmod(month, 100)
                return [coverage(items.get(i, []), done, year, number, closing_day) for i in ids]

            coverage_ms = median_ms(month_coverage, args.runs)
            planned_items = sum(len(v) for v in plan_items(rules, ids).values())
            in_month = (
                Inspection.select()
                .where((Inspection.month == month) & Inspection.site.in_(ids))
                .count()
            )
        app.extensions["xunjian"]["database"].close_all()

    database = database_label(url)
    setup = (
        f"{args.sites} sites x {args.staff} staff, {args.months} months, "
        f"built in {built:.0f} s: " + ", ".join(f"{k} {v:,}" for k, v in counts.items())
    )
    mine = (
        f"a supervisor of {len(ids)} sites (grades 1-3): {planned_items:,} plan items, "
        f"{in_month:,} inspections this month, {len(found):,} on today's to-do"
    )
    print()
    print(f"company: {setup}")
    print(f"{mine}")
    print()
    print(f"| what ({today}, {database}) | median | goal |")
    print("|---|---:|---|")
    print(
        f"| baseline: indexed COUNT of the {len(ids)} sites' inspections this month "
        f"| {baseline:.1f} ms | |"
    )
    print(f"| the supervisor's to-do ({len(ids)} sites) | {todo_ms:.1f} ms | < 100 ms |")
    print(f"| month coverage of the same sites | {coverage_ms:.1f} ms | |")

    emit_setup(args.summary, "plans to-do", database, f"generated company: {setup}; {mine}")
    emit(
        args.summary,
        f"supervisor's to-do ({len(ids)} sites)",
        database,
        todo_ms,
        "ms",
        goals=[goal("product", "<", 100)],
        baseline=baseline,
        baseline_label="indexed COUNT of the sites' inspections this month",
    )
    emit(args.summary, f"month coverage ({len(ids)} sites)", database, coverage_ms, "ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
