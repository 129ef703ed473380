"""bench/run_all.py's table writer: summary lines from the benchmarks in, one Markdown table
out (no benchmark runs here)."""

import importlib
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent.parent / "bench"


@pytest.fixture
def bench(monkeypatch):
    """bench/run_all.py and bench/common.py, imported as the scripts import them."""
    monkeypatch.syspath_prepend(str(BENCH))
    return importlib.import_module("run_all"), importlib.import_module("common")


def write_summary(common, path):
    """What the benchmarks append, in the order they run: PostgreSQL's scan figures come
    after SQLite's, the photo figures have no database."""
    goal = common.goal
    common.emit_setup(path, "scan ingestion", "SQLite", "2 workers, 3 rounds of 15 s")
    scans = "scan ingestion `POST /api/scans`"
    label = "bare Flask + peewee insert"
    ratio_goal = [goal("ratio", ">=", 0.70)]
    common.emit(path, scans, "SQLite", 612.4, "req/s", baseline=1500.0, goals=ratio_goal)
    common.emit(path, "scan p99", "SQLite", 41.26, "ms", baseline=20.0, baseline_label=label)
    common.emit(path, "batch of 500", "SQLite", 230.0, "ms", goals=[goal("product", "<", 1000)])
    common.emit_setup(path, "scan ingestion", "PostgreSQL", "the same on PostgreSQL")
    common.emit(path, scans, "PostgreSQL", 700.0, "req/s", baseline=800.0, goals=ratio_goal)
    common.emit(path, "scan p99", "PostgreSQL", 120.5, "ms", baseline=60.0, baseline_label=label)
    common.emit(
        path, "batch of 500", "PostgreSQL", 1450.0, "ms", goals=[goal("product", "<", 1000)]
    )
    photo_goals = [goal("product", "<", 150), goal("ratio", "<=", 1.5)]
    common.emit(path, "photo | 12 MP", "", 140.0, "ms", baseline=80.0, goals=photo_goals)
    common.emit(path, "site-month", "SQLite", 3.44, "ms", baseline=0.1)
    common.emit(path, "export", "SQLite", 1.156, "s", goals=[goal("product", "<", 10)])


def test_summary_lines_become_one_table_grouped_by_measure(bench, tmp_path):
    run_all, common = bench
    summary = tmp_path / "summary.jsonl"
    write_summary(common, summary)

    setups, figures = run_all.read_summary(summary)

    assert [s["database"] for s in setups] == ["SQLite", "PostgreSQL"]
    assert run_all.markdown_table(figures).splitlines() == [
        "| measure | database | product | baseline (same run) | ratio | goal | met? |",
        "|---|---|---:|---|---:|---|---|",
        "| scan ingestion `POST /api/scans` | SQLite | 612 req/s | 1,500 req/s "
        "| 0.41× | ratio ≥ 0.70 | **no** |",
        "| scan ingestion `POST /api/scans` | PostgreSQL | 700 req/s | 800 req/s "
        "| 0.88× | ratio ≥ 0.70 | yes |",
        "| scan p99 | SQLite | 41.3 ms | 20.0 ms (bare Flask + peewee insert) | 2.06× | — | — |",
        "| scan p99 | PostgreSQL | 120 ms | 60.0 ms (bare Flask + peewee insert) | 2.01× | — | — |",
        "| batch of 500 | SQLite | 230 ms | — | — | < 1,000 ms | yes |",
        "| batch of 500 | PostgreSQL | 1,450 ms | — | — | < 1,000 ms | **no** |",
        "| photo \\| 12 MP | — | 140 ms | 80.0 ms | 1.75× | < 150 ms, ratio ≤ 1.50 | **no** |",
        "| site-month | SQLite | 3.4 ms | 0.1 ms | 34× | — | — |",
        "| export | SQLite | 1.16 s | — | — | < 10 s | yes |",
    ]


def test_a_goal_on_the_ratio_without_a_baseline_is_not_met(bench):
    run_all, common = bench
    figure = {
        "product": 10.0,
        "unit": "ms",
        "baseline": None,
        "goals": [common.goal("ratio", "<=", 1.5)],
    }

    assert run_all.goal_met(figure) is False
    assert run_all.goal_met({**figure, "baseline": 8.0}) is True
    assert run_all.goal_met({**figure, "goals": []}) is None


def test_the_document_shows_machine_command_sizes_failures_and_outputs(bench, tmp_path):
    run_all, common = bench
    summary = tmp_path / "summary.jsonl"
    write_summary(common, summary)
    setups, figures = run_all.read_summary(summary)

    document = run_all.render(
        machine={"CPU": "AMD EPYC 7B13", "cores": "2", "PostgreSQL": "16.4"},
        command="DATABASE_URL=postgresql://bench:***@db/x python bench/run_all.py",
        setups=setups,
        figures=figures,
        failures=["qr_sheet.py"],
        details=[("scan_ingest.py on SQLite", "| round | req/s |\n|---|---|\n| 1 | 612 |\n")],
        minutes=8.25,
    )

    lines = document.splitlines()
    assert "- CPU: AMD EPYC 7B13" in lines
    assert "- PostgreSQL: 16.4" in lines
    assert (
        "Command (took 8.2 min): `DATABASE_URL=postgresql://bench:***@db/x python bench/run_all.py`"
    ) in lines
    assert "- scan ingestion (SQLite): 2 workers, 3 rounds of 15 s" in lines
    assert "- scan ingestion (PostgreSQL): the same on PostgreSQL" in lines
    assert "**Failed** (their figures are missing): qr_sheet.py." in lines
    table = run_all.markdown_table(figures).splitlines()
    start = lines.index(table[0])
    assert lines[start : start + len(table)] == table
    # Machine and command come before the table, each benchmark's own output after it.
    assert lines.index("- CPU: AMD EPYC 7B13") < start
    assert lines.index("<details><summary>scan_ingest.py on SQLite</summary>") > start
    assert "| 1 | 612 |" in lines


def test_postgres_runs_only_for_database_bound_benchmarks(bench):
    run_all, _ = bench
    url = "postgresql://bench@127.0.0.1:5432/app"

    with_postgres = run_all.plan(quick=True, postgres=url, only=None)
    without = run_all.plan(quick=False, postgres=None, only={"scan_ingest", "qr_sheet"})

    assert [title for title, _ in with_postgres] == [
        "scan_ingest.py on SQLite",
        "scan_ingest.py on PostgreSQL",
        "scan_ingest.py, one busy site, on SQLite",
        "scan_ingest.py, one busy site, on PostgreSQL",
        "monthly_records.py on SQLite",
        "monthly_records.py on PostgreSQL",
        "plans_todo.py on SQLite",
        "plans_todo.py on PostgreSQL",
        "photo_pipeline.py",
        "qr_sheet.py",
    ]
    assert with_postgres[1][1][-2:] == ["--postgres", url]
    assert [title for title, _ in without] == [
        "scan_ingest.py on SQLite",
        "scan_ingest.py, one busy site, on SQLite",
        "qr_sheet.py",
    ]
    assert without[1][1][-2:] == ["--sites", "1"]
    assert all("--postgres" not in command for _, command in without)


def test_passwords_are_not_printed(bench):
    _, common = bench

    assert (
        common.redact("postgresql://bench:s3cret@db:5432/x") == "postgresql://bench:***@db:5432/x"
    )
    assert common.redact("postgresql://bench@db/x") == "postgresql://bench@db/x"
