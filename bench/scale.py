"""The company-scale benchmark: how a scan, HR's monthly records and the company's Excel export
cost as the company grows from a fraction of 100,000 staff over 3,000 sites to full size.

    scripts/with-postgres.sh .venv/bin/python bench/scale.py [--sizes 1/64,1/16]
                             [--workers 1] [--scans 300] [--runs 5] [--out bench/SCALE.md]

(``make bench-scale``; SCALE_SIZES=1/64,1/16,1/4,1 make bench-scale for the bigger sizes.)
For each size, on the PostgreSQL server of DATABASE_URL, in a scratch database made and
dropped here: bench/company.py generates the company (12 months of history; timed, with
``VACUUM ANALYZE`` after it, as autovacuum would have done on a database that grew over a
year), then a fresh process (a freshly started app server) measures through the real
endpoints (Flask's test client, no HTTP socket: the same for every size), for the last full
month and the site in the middle of the id range:

  - a patrol scan: POST /api/scans by guards of that site at its checkpoints, p50 and p99 of
    ``--scans`` scans (each guard with their own phone, no checkpoint twice by one guard);
  - a site-month of HR records: GET /api/monthly/records?month=&site_id=, median of --runs;
  - the company summary: GET /api/monthly/summary?month= over every site, median;
  - the company Excel export: GET /api/monthly/export.xlsx?month= over every site, read to
    the end: its time and the serving process's peak RSS during it (the peak is reset first
    through /proc/self/clear_refs, so the figure is the process's high-water mark while
    exporting, the app's own memory included).

Writes a Markdown table (size, rows, generate time, scan ms p50/p99, site-month ms, summary ms,
export s, peak RSS MB) to --out and prints it. The goals (issue 19, at full size): a scan
within 1.2x of its cost at 1/16, a site-month < 50 ms, the summary < 2 s, the export < 60 s.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import statistics
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime
from fractions import Fraction
from pathlib import Path

from common import ROOT, is_postgres_url, machine_info, proc_status_mb
from company import company_size, generated_company

sys.path.insert(0, str(ROOT))

PASSWORD = "bench-password-1"
RESULTS_MARK = "<!-- scale results: "  # the figures as JSON, for --append
GUARDS = 8
EXTRA_CHECKPOINTS = 400  # the site's own 10 are too few for --scans distinct scans a guard


def previous_month(month: int) -> int:
    year, number = divmod(month, 100)
    return year * 100 + number - 1 if number > 1 else (year - 1) * 100 + 12


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


# -- the measuring process ------------------------------------------------------------------


def measure(url: str, scans: int, runs: int) -> dict:
    """Everything measured on the generated company at ``url``, in this (fresh) process."""
    from scan_ingest import insert_checkpoints

    from api import create_app
    from api.security import hash_password
    from models import utcnow, write_transaction
    from models.rules.qr_signing import make_token, scan_url
    from models.tables.accounts import User, UserSite
    from models.tables.inspections import Inspection
    from models.tables.org import Site
    from models.tables.patrols import Checkpoint
    from models.tables.site_keys import current_key

    config = {"PASSWORD_TIME_COST": 1, "PASSWORD_MEMORY_COST": 1024}
    app = create_app({"DATABASE_URL": url, "ACCESS_LOG": False, **config})
    logging.getLogger("api").setLevel(logging.WARNING)  # no line per sign-in
    client = app.test_client()
    with app.app_context():
        month = previous_month(Inspection.select(Inspection.month).order_by(
            Inspection.month.desc()).scalar())  # fmt: skip
        site_ids = [s.id for s in Site.select(Site.id).order_by(Site.id)]
        site = Site.get_by_id(site_ids[len(site_ids) // 2])
        area = site.areas.first()
        key = current_key(site.id)
        with write_transaction():
            insert_checkpoints(
                [
                    (site.id, area.id, f"基准点{n}", f"{site.code}-B{n:04d}", 50, True, utcnow())
                    for n in range(EXTRA_CHECKPOINTS)
                ]
            )
            password_hash = hash_password(PASSWORD)
            admin = User.create(username="scale-admin", role="admin", password_hash=password_hash)
            for n in range(GUARDS):
                guard = User.create(username=f"scale-guard{n}", role="guard",
                                    password_hash=password_hash)  # fmt: skip
                UserSite.create(user=guard, site=site)
        secret = bytes.fromhex(key.secret)
        payloads = [
            scan_url("http://127.0.0.1", make_token("c", site.id, cp_id, key.version, secret))
            for (cp_id,) in Checkpoint.select(Checkpoint.id)
            .where(Checkpoint.site == site)
            .order_by(Checkpoint.id)
            .tuples()
        ]

    def sign_in(username: str) -> dict:
        response = client.post("/api/auth/login", json={"username": username, "password": PASSWORD})
        assert response.status_code < 300, response.get_data(as_text=True)
        return {"Authorization": f"Bearer {response.json['token']}"}

    guards = [sign_in(f"scale-guard{n}") for n in range(GUARDS)]
    hr = sign_in(admin.username)

    # Scans: guard n scans checkpoints n, n + GUARDS, ... so no guard repeats a checkpoint.
    timings, statuses = [], {}
    warmup = 20
    for i in range(scans + warmup):
        body = {
            "id": str(uuid.uuid4()),
            "payload": payloads[i % len(payloads)],
            "device_at": datetime.now(UTC).isoformat(),
            "device_id": f"scale-phone-{i % GUARDS}",
        }
        start = time.perf_counter()
        response = client.post("/api/scans", json=body, headers=guards[i % GUARDS])
        took = (time.perf_counter() - start) * 1000
        assert response.status_code < 300, response.get_data(as_text=True)
        if i >= warmup:
            timings.append(took)
            status = response.json.get("status", str(response.status_code))
            statuses[status] = statuses.get(status, 0) + 1

    def timed_get(path: str) -> float:
        start = time.perf_counter()
        response = client.get(path, headers=hr)
        took = (time.perf_counter() - start) * 1000
        assert response.status_code == 200, response.get_data(as_text=True)[:500]
        return took

    records_path = f"/api/monthly/records?month={month}&site_id={site.id}"
    summary_path = f"/api/monthly/summary?month={month}"
    timed_get(records_path)  # warm up: the first request loads the app's lazy parts
    site_month = statistics.median(timed_get(records_path) for _ in range(runs))
    summary = statistics.median(timed_get(summary_path) for _ in range(max(1, runs // 2)))

    Path("/proc/self/clear_refs").write_text("5")  # reset VmHWM: the peak from here on
    before = proc_status_mb("VmRSS")
    start = time.perf_counter()
    response = client.get(f"/api/monthly/export.xlsx?month={month}", headers=hr, buffered=False)
    assert response.status_code == 200
    size = sum(len(chunk) for chunk in response.response)
    response.close()
    export = time.perf_counter() - start
    app.extensions["xunjian"]["database"].close_all()
    return {
        "month": month,
        "site": site.code,
        "sites": len(site_ids),
        "scan_p50": percentile(timings, 0.5),
        "scan_p99": percentile(timings, 0.99),
        "scan_statuses": statuses,
        "site_month_ms": site_month,
        "summary_ms": summary,
        "export_s": export,
        "export_bytes": size,
        "rss_before_mb": before,
        "peak_rss_mb": proc_status_mb("VmHWM"),
    }


# -- one size -------------------------------------------------------------------------------


def run_size(server: str, fraction: str, args) -> dict:
    with generated_company(server, fraction, "scale", workers=args.workers) as (
        url,
        tmp,
        counts,
        generated,
    ):
        start = time.perf_counter()
        run_sql(url, "VACUUM ANALYZE")
        vacuumed = time.perf_counter() - start
        print(f"generated in {generated:.1f} s, VACUUM ANALYZE {vacuumed:.1f} s", file=sys.stderr)
        load = os.getloadavg()[0]  # the machine may be shared: said beside the figures
        out = subprocess.run(
            [sys.executable, __file__, "--measure", url, "--scans", str(args.scans),
             "--runs", str(args.runs)],
            env={**os.environ, "XUNJIAN_INSTANCE_PATH": tmp},
            check=True, stdout=subprocess.PIPE, text=True,
        )  # fmt: skip
        measured = json.loads(out.stdout.strip().splitlines()[-1])
        (size,) = run_sql(url, "SELECT pg_database_size(current_database())")
    sites, staff = company_size(fraction)
    return {
        "fraction": fraction,
        "staff": staff,
        "rows": sum(counts.values()),
        "scans": counts.get("scan", 0),
        "counts": counts,
        "generate_s": generated,
        "vacuum_s": vacuumed,
        "database_mb": size / 1024 / 1024,
        "load": load,
        **measured,
    }


def run_sql(url: str, sql: str) -> tuple | None:
    """One statement outside a transaction (VACUUM needs that); its first row, if any."""
    import psycopg2

    conn = psycopg2.connect(url)
    conn.autocommit = True
    try:
        with conn.cursor() as cursor:
            cursor.execute(sql)
            return cursor.fetchone() if cursor.description else None
    finally:
        conn.close()


# -- the table ------------------------------------------------------------------------------


def table(results: list[dict]) -> str:
    lines = [
        "| size | staff / sites | rows (scans) | generate | scan p50 / p99 | site-month "
        "| summary | Excel export | export peak RSS |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        lines.append(
            f"| {r['fraction']} | {r['staff']:,} / {r['sites']:,} "
            f"| {r['rows']:,} ({r['scans']:,}) | {r['generate_s']:.0f} s "
            f"| {r['scan_p50']:.1f} / {r['scan_p99']:.1f} ms | {r['site_month_ms']:.0f} ms "
            f"| {r['summary_ms']:.0f} ms | {r['export_s']:.2f} s | {r['peak_rss_mb']:.0f} MB |"
        )
    return "\n".join(lines)


def biggest(counts: dict, most: int = 6) -> list[tuple[str, int]]:
    return sorted(counts.items(), key=lambda kv: -kv[1])[:most]


def report(results: list[dict], args, server: str) -> str:
    info = machine_info(server)
    machine = ", ".join(f"{k} {v}" for k, v in info.items())
    command = "scripts/with-postgres.sh .venv/bin/python bench/scale.py " + " ".join(sys.argv[1:])
    notes = []
    for r in results:
        notes.append(
            f"- {r['fraction']}: month {r['month']}, measured site {r['site']}; load average "
            f"{r.get('load', float('nan')):.1f} when measuring; database "
            f"{r['database_mb']:,.0f} MB; VACUUM ANALYZE {r['vacuum_s']:.0f} s; export "
            f"{r['export_bytes'] / 1024:,.0f} KiB, RSS {r['rss_before_mb']:.0f} MB before "
            f"it; scan outcomes {r['scan_statuses']}; rows: "
            + ", ".join(f"{k} {v:,}" for k, v in biggest(r["counts"]))
        )
    return "\n".join(
        [
            "# Company-scale benchmark (issue 19)",
            "",
            f"`{command}` — {machine}.",
            "",
            "Full size: 100,000 staff over 3,000 sites, 12 months of history (~40 million "
            "scans). Goals at full size: a scan within 1.2x of 1/16, a site-month < 50 ms, the "
            "company summary < 2 s, the Excel export < 60 s with bounded memory.",
            "",
            table(results),
            "",
            *notes,
            "",
            f"{RESULTS_MARK}{json.dumps(results, ensure_ascii=False)} -->",
            "",
        ]
    )


def previous_results(text: str) -> list[dict]:
    for line in text.splitlines():
        if line.startswith(RESULTS_MARK):
            return json.loads(line[len(RESULTS_MARK) : -len(" -->")])
    return []


def merged(old: list[dict], new: list[dict]) -> list[dict]:
    """The new sizes, and the old ones not measured again, smallest first."""
    fresh = {r["fraction"] for r in new}
    kept = [r for r in old if r["fraction"] not in fresh]
    return sorted(kept + new, key=lambda r: Fraction(r["fraction"]))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1/64,1/16", help="fractions of the full company")
    parser.add_argument("--workers", type=int, default=1, help="processes generating sites")
    parser.add_argument("--scans", type=int, default=300, help="timed scans per size")
    parser.add_argument("--runs", type=int, default=5, help="timed reads per size")
    parser.add_argument("--out", type=Path, help="write the Markdown report here")
    parser.add_argument(
        "--append",
        action="store_true",
        help="keep the other sizes already in --out (one size at a time, runs kept short)",
    )
    parser.add_argument("--measure", metavar="URL", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:  # the measuring process of one size: one JSON line on stdout
        print(json.dumps(measure(args.measure, args.scans, args.runs)))
        return 0
    server = os.environ.get("DATABASE_URL")
    if not is_postgres_url(server):
        parser.error("run under scripts/with-postgres.sh (DATABASE_URL=postgresql://...)")
    results = [run_size(server, size.strip(), args) for size in args.sizes.split(",")]
    if args.append and args.out and args.out.exists():
        results = merged(previous_results(args.out.read_text(encoding="utf-8")), results)
    text = report(results, args, server)
    print(text)
    if args.out:
        args.out.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
