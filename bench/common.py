"""What the benchmarks share: the database they run on, the machine they ran on, and the
summary channel that bench/run_all.py reads.

Databases: a benchmark runs on a SQLite file in its temporary folder, or, given a server URL
(``--postgres postgresql://...``), in a scratch database it creates on that server
(``xunjian_bench_<name>_<random>``, made and dropped through a maintenance connection to the
server's ``postgres`` database). The database the URL names is never touched.

Summary: with ``--summary FILE`` a benchmark appends one JSON object a line for each figure it
measured (see ``emit``); bench/run_all.py turns them into one Markdown table.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import secrets
import socket
import sqlite3
import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
SCRATCH_PREFIX = "xunjian_bench_"


# -- command line ---------------------------------------------------------------------------


def add_common_arguments(parser: argparse.ArgumentParser, *, database: bool = True) -> None:
    parser.add_argument(
        "--summary", type=Path, help="append the key figures as JSON lines to this file"
    )
    if database:
        parser.add_argument(
            "--postgres",
            metavar="URL",
            help="run on this PostgreSQL server, in scratch databases the benchmark creates "
            "and drops (the database the URL names is not touched); default: SQLite",
        )


def is_postgres_url(url: str | None) -> bool:
    return bool(url) and urlsplit(url).scheme in ("postgres", "postgresql")


def database_label(url: str) -> str:
    return "PostgreSQL" if is_postgres_url(url) else "SQLite"


def redact(url: str) -> str:
    """The URL without its password, for printing."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return urlunsplit(parts._replace(netloc=netloc))


# -- databases ------------------------------------------------------------------------------


def _with_database(url: str, name: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


def _maintenance_connection(server_url: str):
    import psycopg2

    conn = psycopg2.connect(_with_database(server_url, "postgres"))
    conn.autocommit = True  # CREATE/DROP DATABASE cannot run in a transaction
    return conn


def postgres_version(server_url: str) -> str:
    conn = _maintenance_connection(server_url)
    try:
        with conn.cursor() as cursor:
            cursor.execute("SHOW server_version")
            return cursor.fetchone()[0]
    finally:
        conn.close()


@contextmanager
def scratch_postgres(server_url: str, name: str) -> Iterator[str]:
    """A new empty database on the server of ``server_url``, dropped afterwards even when
    the benchmark fails; yields its URL."""
    database = f"{SCRATCH_PREFIX}{name}_{secrets.token_hex(4)}"
    conn = _maintenance_connection(server_url)
    try:
        with conn.cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{database}"')
        try:
            yield _with_database(server_url, database)
        finally:
            with conn.cursor() as cursor:
                # FORCE (PostgreSQL 13+) ends connections a killed server process left behind.
                cursor.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
    finally:
        conn.close()


@contextmanager
def bench_database(postgres: str | None, tmp: Path, name: str) -> Iterator[str]:
    """The URL of a database for one benchmark: a SQLite file in ``tmp``, or a scratch
    database on the ``postgres`` server."""
    if is_postgres_url(postgres):
        with scratch_postgres(postgres, name) as url:
            yield url
    else:
        yield f"sqlite:///{tmp}/{name}.db"


def count_rows(url: str, table: str) -> int:
    """Rows in ``table``, over a short-lived connection of its own."""
    if not is_postgres_url(url):
        with sqlite3.connect(urlsplit(url).path) as conn:
            return conn.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0]
    import psycopg2

    conn = psycopg2.connect(url)
    try:
        with conn.cursor() as cursor:
            cursor.execute(f'SELECT COUNT(*) FROM "{table}"')
            return cursor.fetchone()[0]
    finally:
        conn.close()


# -- measuring ------------------------------------------------------------------------------


def median_ms(fn: Callable[[], object], runs: int) -> float:
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        timings.append((time.perf_counter() - start) * 1000)
    return statistics.median(timings)


def proc_status_mb(field: str) -> float:
    """A memory figure of this process from /proc/self/status (VmRSS now, VmHWM peak)."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(f"{field}:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# -- the summary channel --------------------------------------------------------------------


def goal(of: str, op: str, value: float) -> dict:
    """A goal on ``of`` ("product" or "ratio"): ``op`` is one of <, <=, >=, >."""
    assert of in ("product", "ratio") and op in ("<", "<=", ">=", ">")
    return {"of": of, "op": op, "value": value}


def emit(
    path: Path | None,
    measure: str,
    database: str,
    product: float,
    unit: str,
    *,
    baseline: float | None = None,
    baseline_label: str = "",
    goals: list[dict] | None = None,
) -> None:
    """Append one measured figure to the summary file (no-op without one). ``database`` is
    "SQLite", "PostgreSQL" or "" for work that does not touch one; ``unit`` is how the
    figures read (req/s, ms, s, MB); the ratio is product / baseline."""
    record = {
        "kind": "figure",
        "measure": measure,
        "database": database,
        "product": product,
        "unit": unit,
        "baseline": baseline,
        "baseline_label": baseline_label,
        "goals": goals or [],
    }
    _append(path, record)


def emit_setup(path: Path | None, bench: str, database: str, text: str) -> None:
    """Append how a benchmark was set up (sizes, rounds), for the table's header."""
    _append(path, {"kind": "setup", "bench": bench, "database": database, "setup": text})


def _append(path: Path | None, record: dict) -> None:
    if path is None:
        return
    with path.open("a", encoding="utf-8") as out:
        out.write(json.dumps(record, ensure_ascii=False) + "\n")


# -- the machine ----------------------------------------------------------------------------


def machine_info(postgres: str | None = None) -> dict[str, str]:
    """What the figures were measured on."""
    cpu = "unknown"
    with open("/proc/cpuinfo") as cpuinfo:
        for line in cpuinfo:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    os_name = platform.system()
    try:
        os_name = platform.freedesktop_os_release()["PRETTY_NAME"]
    except (OSError, KeyError):
        pass
    with open("/proc/meminfo") as meminfo:
        ram_kib = int(next(line for line in meminfo if line.startswith("MemTotal:")).split()[1])
    return {
        "CPU": cpu,
        "cores": str(os.cpu_count()),
        "RAM": f"{ram_kib / 1024 / 1024:.1f} GiB",
        "OS": f"{os_name}, Linux {platform.release()}",
        "Python": platform.python_version(),
        "SQLite": sqlite3.sqlite_version,
        "PostgreSQL": postgres_version(postgres) if is_postgres_url(postgres) else "not run",
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }
