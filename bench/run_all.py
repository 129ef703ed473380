"""Run every benchmark and write one Markdown table of the key figures.

    python bench/run_all.py [--quick] [--out bench/RESULTS.md] [--only NAME,...]

Runs each benchmark of bench/ as a subprocess of its own (so one's memory and threads do not
disturb the next), on SQLite and, when DATABASE_URL is a postgresql:// URL, the database-bound
ones (scan ingestion with its baseline, the batch upload, the monthly records and export) on
that PostgreSQL server too, each in scratch databases it creates and drops there (the database
the URL names is not touched). Each benchmark appends its key figures to a summary file
(``--summary``, JSON lines, see bench/common.py); this script turns them into one table:

    measure | database | product | baseline (same run) | ratio | goal | met?

with the machine it ran on and the exact command above it, and each benchmark's own output
below it. The sizes here keep a full run (SQLite + PostgreSQL) within about 10 minutes on a
2-core machine, --quick within about 2; the scripts take bigger sizes on their own command
lines. Exits non-zero when a benchmark failed (the others still run and are reported).
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from common import ROOT, is_postgres_url, machine_info, redact

BENCH = Path(__file__).resolve().parent
DATABASE_ORDER = {"SQLite": 0, "PostgreSQL": 1, "": 2}
OPERATORS = {
    "<": (float.__lt__, "<"),
    "<=": (float.__le__, "≤"),
    ">=": (float.__ge__, "≥"),
    ">": (float.__gt__, ">"),
}


@dataclass(frozen=True)
class Benchmark:
    name: str  # the script, bench/<name>.py
    full: tuple[str, ...]
    quick: tuple[str, ...]
    database_bound: bool  # also run on PostgreSQL when there is one
    case: str = ""  # tells two runs of one script apart in the titles


BENCHMARKS = (
    Benchmark(
        "scan_ingest",
        ("--seconds", "15", "--rounds", "3", "--batch-runs", "5"),
        ("--seconds", "4", "--rounds", "1", "--batch-runs", "2"),
        database_bound=True,
    ),
    Benchmark(  # every guard at one site: the site lock at its worst, beside the spread case
        "scan_ingest",
        ("--seconds", "15", "--rounds", "3", "--batch-runs", "1", "--sites", "1"),
        ("--seconds", "4", "--rounds", "1", "--batch-runs", "1", "--sites", "1"),
        database_bound=True,
        case="one busy site",
    ),
    Benchmark(
        "monthly_records",
        ("--sites", "50", "--staff", "100", "--months", "2", "--runs", "5"),
        ("--sites", "5", "--staff", "100", "--months", "1", "--runs", "3"),
        database_bound=True,
    ),
    Benchmark(
        "plans_todo",
        ("--sites", "50", "--staff", "100", "--months", "2", "--runs", "7"),
        ("--sites", "20", "--staff", "50", "--months", "1", "--runs", "3"),
        database_bound=True,
    ),
    Benchmark("photo_pipeline", ("--runs", "30"), ("--runs", "5"), database_bound=False),
    Benchmark(
        "qr_sheet", ("--labels", "200", "--runs", "3"), ("--labels", "200", "--runs", "1"), False
    ),
)


# -- the table ------------------------------------------------------------------------------


def format_value(value: float, unit: str) -> str:
    if unit == "req/s":
        return f"{value:,.0f} req/s"
    if unit == "s":
        return f"{value:.2f} s"
    if unit in ("ms", "µs") and abs(value) >= 100:
        return f"{value:,.0f} {unit}"
    return f"{value:.1f} {unit}"


def ratio_of(figure: dict) -> float | None:
    baseline = figure.get("baseline")
    if not baseline:
        return None
    return figure["product"] / baseline


def format_ratio(ratio: float | None) -> str:
    if ratio is None:
        return ""
    return f"{ratio:.0f}×" if ratio >= 10 else f"{ratio:.2f}×"


def goal_text(figure: dict) -> str:
    parts = []
    for goal in figure["goals"]:
        symbol = OPERATORS[goal["op"]][1]
        if goal["of"] == "ratio":
            parts.append(f"ratio {symbol} {goal['value']:.2f}")
        else:
            parts.append(f"{symbol} {goal['value']:,g} {figure['unit']}")
    return ", ".join(parts)


def goal_met(figure: dict) -> bool | None:
    """Whether every goal of the figure holds; None when it has none."""
    if not figure["goals"]:
        return None
    for goal in figure["goals"]:
        value = figure["product"] if goal["of"] == "product" else ratio_of(figure)
        if value is None or not OPERATORS[goal["op"]][0](float(value), float(goal["value"])):
            return False
    return True


def cell(text: str) -> str:
    return text.replace("|", "\\|") if text else "—"


def order_figures(figures: list[dict]) -> list[dict]:
    """Each measure's rows together (SQLite, then PostgreSQL), measures in the order they
    were first reported."""
    first_seen: dict[str, int] = {}
    for figure in figures:
        first_seen.setdefault(figure["measure"], len(first_seen))
    return sorted(
        figures,
        key=lambda f: (first_seen[f["measure"]], DATABASE_ORDER.get(f["database"], 3)),
    )


def markdown_table(figures: list[dict]) -> str:
    lines = [
        "| measure | database | product | baseline (same run) | ratio | goal | met? |",
        "|---|---|---:|---|---:|---|---|",
    ]
    for figure in order_figures(figures):
        baseline = ""
        if figure.get("baseline") is not None:
            baseline = format_value(figure["baseline"], figure["unit"])
            if figure.get("baseline_label"):
                baseline += f" ({figure['baseline_label']})"
        ratio = ratio_of(figure)
        met = {True: "yes", False: "**no**", None: ""}[goal_met(figure)]
        cells = [
            figure["measure"],
            figure["database"],
            format_value(figure["product"], figure["unit"]),
            baseline,
            format_ratio(ratio),
            goal_text(figure),
            met,
        ]
        lines.append("| " + " | ".join(cell(c) for c in cells) + " |")
    return "\n".join(lines) + "\n"


def read_summary(path: Path) -> tuple[list[dict], list[dict]]:
    """(setups, figures) from a summary file of JSON lines."""
    setups, figures = [], []
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                record = json.loads(line)
                (setups if record["kind"] == "setup" else figures).append(record)
    return setups, figures


def render(
    *,
    machine: dict[str, str],
    command: str,
    setups: list[dict],
    figures: list[dict],
    failures: list[str],
    details: list[tuple[str, str]],
    minutes: float | None = None,
) -> str:
    """The whole results document: machine, command, sizes, the table, each output."""
    out = ["# Benchmark results", ""]
    out.append(
        "Written by `bench/run_all.py`. Product and baseline run side by side in the same run; "
        "the ratio is product / baseline. Absolute figures drift 10–25 % between runs."
    )
    out.append("")
    out += ["Machine:", ""]
    out += [f"- {key}: {value}" for key, value in machine.items()]
    out.append("")
    took = f" (took {minutes:.1f} min)" if minutes is not None else ""
    out += [f"Command{took}: `{command}`", ""]
    if setups:
        out.append("Sizes:")
        out.append("")
        for setup in setups:
            where = f" ({setup['database']})" if setup["database"] else ""
            out.append(f"- {setup['bench']}{where}: {setup['setup']}")
        out.append("")
    if failures:
        out.append("**Failed** (their figures are missing): " + ", ".join(failures) + ".")
        out.append("")
    out.append(markdown_table(figures))
    if details:
        out.append("## Each benchmark's own output")
        out.append("")
        for title, text in details:
            out += [f"<details><summary>{title}</summary>", "", text.strip(), "", "</details>", ""]
    return "\n".join(out)


# -- running --------------------------------------------------------------------------------


def plan(quick: bool, postgres: str | None, only: set[str] | None) -> list[tuple[str, list[str]]]:
    """(title, command) of every run."""
    runs = []
    for bench in BENCHMARKS:
        if only and bench.name not in only:
            continue
        command = [sys.executable, str(BENCH / f"{bench.name}.py")]
        command += bench.quick if quick else bench.full
        script = f"{bench.name}.py" + (f", {bench.case}," if bench.case else "")
        if not bench.database_bound:
            runs.append((script.rstrip(","), command))
            continue
        runs.append((f"{script} on SQLite", command))
        if postgres:
            runs.append((f"{script} on PostgreSQL", [*command, "--postgres", postgres]))
    return runs


def exact_command() -> str:
    python = os.path.relpath(sys.executable) if sys.executable.startswith(os.getcwd()) else "python"
    database_url = os.environ.get("DATABASE_URL", "")
    prefix = f"DATABASE_URL={shlex.quote(redact(database_url))} " if database_url else ""
    return prefix + shlex.join([python, *sys.argv])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a smoke run of about 2 minutes")
    parser.add_argument("--out", type=Path, default=BENCH / "RESULTS.md")
    parser.add_argument("--only", help="comma-separated benchmark names (default: all)")
    args = parser.parse_args()
    database_url = os.environ.get("DATABASE_URL", "")
    postgres = database_url if is_postgres_url(database_url) else None
    only = set(args.only.split(",")) if args.only else None
    started = time.monotonic()
    machine = machine_info(postgres)
    failures, details = [], []
    with tempfile.TemporaryDirectory(prefix="bench-all-") as tmp:
        summary = Path(tmp) / "summary.jsonl"
        for title, command in plan(args.quick, postgres, only):
            print(f"== {title}", file=sys.stderr, flush=True)
            # Progress goes to the terminal (stderr); the benchmark's own report is kept.
            done = subprocess.run(
                [*command, "--summary", str(summary)],
                cwd=ROOT,
                stdout=subprocess.PIPE,
                text=True,
            )
            details.append((title, done.stdout))
            if done.returncode != 0:
                failures.append(title)
                print(f"== {title} FAILED (exit {done.returncode})", file=sys.stderr)
        setups, figures = read_summary(summary)
    document = render(
        machine=machine,
        command=exact_command(),
        setups=setups,
        figures=figures,
        failures=failures,
        details=details,
        minutes=(time.monotonic() - started) / 60,
    )
    args.out.write_text(document, encoding="utf-8")
    print(markdown_table(figures))
    print(f"written to {args.out}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
