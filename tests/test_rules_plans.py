"""Inspection plans: the plans file loads and refuses a bad row by its line; the rule turns a
site's grade, areas and staff into a to-do and a month's coverage."""

from datetime import date
from pathlib import Path

import pytest

from models.files.checklist_files import ChecklistError, load_directory
from models.records.plans import load_plans, parse_plans
from models.rules.plans import (
    Frequency,
    coverage,
    dues,
    parse_frequency,
    per_subject,
    planned_in_month,
    site_items,
    todo,
)

CHECKLISTS = Path(__file__).resolve().parent.parent / "checklists"
AREAS = [(1, "大堂", "lobby"), (2, "地下车库", "garage"), (3, "花园", "garden")]
STAFF = [(10, "张三", "guard"), (11, "李四", "cleaner")]
# Wednesday 2026-12-09 (a week from Monday 7th to Sunday 13th).
WEDNESDAY = date(2026, 12, 9)


@pytest.fixture(scope="module")
def rules():
    checklists, _ = load_directory(CHECKLISTS)
    return load_plans(CHECKLISTS, checklists)


def summary(todos):
    return [(t.item.subject.name, t.item.checklist, t.due.isoformat(), t.overdue) for t in todos]


def test_the_plans_file_loads_with_every_grade_and_a_source(rules):
    assert {r.subject for r in rules} == {"area", "staff"}
    for rule in rules:
        assert rule.source.startswith("《") or "industry practice" in rule.source
    lobby = next(r for r in rules if "lobby" in r.matches and r.kind == "cleaning")
    assert lobby.by_grade[1] == Frequency(1, "day")
    assert lobby.by_grade[3] == Frequency(1, "week")
    grooming = next(r for r in rules if r.kind == "grooming")
    assert all(
        grooming.by_grade[g].times >= 2 and grooming.by_grade[g].per == "month" for g in (1, 2, 3)
    )


def test_grade_1_and_grade_3_sites_with_the_same_areas_get_different_to_do_lists(rules):
    grade_1 = site_items(rules, 1, 1, AREAS, STAFF)
    grade_3 = site_items(rules, 3, 2, AREAS, STAFF)
    first = summary(todo(grade_1, {}, WEDNESDAY))
    third = summary(todo(grade_3, {}, WEDNESDAY))
    assert first != third
    # Grade 1: the lobby daily, due today; grade 3: the lobby once a week, due Sunday.
    assert ("大堂", "cleaning-lobby", "2026-12-09", False) in first
    assert ("大堂", "cleaning-lobby", "2026-12-13", False) in third
    # Grade 1 checks the garage twice a week: the first was due Wednesday... of a 7-day week
    # the first of two is due on day 3 (Wednesday); grade 3 twice a month (14th, 28th): not
    # this week.
    assert ("地下车库", "cleaning-garage", "2026-12-09", False) in first
    assert not [row for row in third if row[1] == "cleaning-garage"]


def test_overdue_first_and_a_done_check_ticks_off_its_item(rules):
    items = site_items(rules, 1, 1, AREAS, STAFF)
    saturday = date(2026, 12, 12)
    todos = todo(items, {}, saturday)
    # The garage's first check of the week was due Wednesday: overdue, listed first.
    assert todos[0].overdue and todos[0].due < saturday
    assert all(not t.overdue for t in todos[[t.overdue for t in todos].count(True) :])
    garage = ("area", 2, "cleaning")
    left = todo(items, {garage: {"day": 0, "week": 1, "month": 1}}, saturday)
    garage_rows = [t for t in left if t.item.key == garage]
    assert len(garage_rows) == 1 and garage_rows[0].due == date(2026, 12, 13)
    assert not garage_rows[0].overdue and garage_rows[0].remaining == 1
    done = todo(items, {garage: {"day": 1, "week": 2, "month": 2}}, saturday)
    assert not [t for t in done if t.item.key == garage]


def test_monthly_checks_are_due_by_the_closing_day(rules):
    items = site_items(rules, 2, 1, [], STAFF)
    grooming = [i for i in items if i.inspection_kind == "grooming"]
    assert len(grooming) == 2  # both people
    assert dues(grooming[0].frequency, date(2026, 12, 1), 28) == [
        date(2026, 12, 14),
        date(2026, 12, 28),
    ]
    late = todo(items, {}, date(2026, 12, 24))
    assert {(t.item.subject.name, t.item.inspection_kind, t.overdue) for t in late} >= {
        ("张三", "grooming", True),
        ("李四", "grooming", True),
    }


def test_month_coverage_counts_done_against_planned_and_names_who_was_missed(rules):
    items = site_items(rules, 3, 1, AREAS, STAFF)
    counts = {
        ("staff", 10, "grooming"): 5,
        ("staff", 10, "etiquette"): 1,
        ("area", 1, "cleaning"): 2,
    }
    result = coverage(items, counts, 2026, 12)
    planned = sum(planned_in_month(i.frequency, 2026, 12) for i in items)
    assert result.planned == planned
    # 张三's five grooming checks count as his two; they cover nobody else.
    assert result.done == 2 + 1 + 2
    missed = {(u[0].subject.name, u[0].inspection_kind) for u in result.uncovered}
    assert ("李四", "grooming") in missed and ("张三", "grooming") not in missed
    people = per_subject(items, counts, 2026, 12)
    assert people[("staff", 10)] == (3, 3)
    assert people[("staff", 11)] == (3, 0)


def test_weekly_plan_counts_the_checks_due_in_the_month():
    # December 2026: Mondays 7, 14, 21, 28; once a week is due on Sunday: 6, 13, 20, 27.
    assert planned_in_month(Frequency(1, "week"), 2026, 12) == 4
    assert planned_in_month(Frequency(1, "day"), 2026, 12) == 31
    assert planned_in_month(Frequency(2, "month"), 2026, 12) == 2


@pytest.mark.parametrize("text", ["2/fortnight", "9/week", "x/day", "3", "0/month"])
def test_a_bad_frequency_is_refused(text):
    with pytest.raises(ValueError):
        parse_frequency(text)


def test_a_bad_plans_file_is_refused_naming_the_line(tmp_path):
    checklists, _ = load_directory(CHECKLISTS)
    text = (CHECKLISTS / "plans.toml").read_text(encoding="utf-8")
    text += '\n[[area]]\narea_types = ["lobby", "moon"]\nchecklist = "cleaning-lobby"\n'
    text += 'grade_1 = "3/fortnight"\nsource = "my idea"\n'
    bad = tmp_path / "plans.toml"
    bad.write_text(text, encoding="utf-8")
    line = len((CHECKLISTS / "plans.toml").read_text(encoding="utf-8").splitlines()) + 2
    with pytest.raises(ChecklistError) as caught:
        parse_plans(bad, checklists)
    problems = "\n".join(caught.value.problems)
    assert f"plans.toml: line {line}" in problems
    assert "moon" in problems and "fortnight" in problems and "source" in problems
    assert "already has a cleaning plan" in problems


def test_the_app_does_not_start_with_a_bad_plans_file(tmp_path):
    from tests.conftest import make_app

    directory = tmp_path / "checklists"
    directory.mkdir()
    for path in CHECKLISTS.glob("*.toml"):
        (directory / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    (directory / "plans.toml").write_text(
        '[[area]]\narea_types = ["lobby"]\nchecklist = "no-such-list"\n'
        'source = "industry practice"\n',
        encoding="utf-8",
    )
    with pytest.raises(ChecklistError, match="plans.toml: line 1"):
        make_app(tmp_path, CHECKLIST_DIR=str(directory))


def test_a_sites_override_replaces_its_grades_plan(rules):
    from models.rules.plans import Override

    plain = site_items(rules, 3, 1, AREAS, STAFF)
    lobby = next(i for i in plain if i.subject.id == 1 and i.inspection_kind == "cleaning")
    assert lobby.frequency == Frequency(1, "week")
    overrides = [
        Override("area", "lobby", "cleaning", "cleaning-lobby", Frequency(1, "day")),
        Override("area", "garden", "greening", "greening-garden", None),  # nothing planned
    ]
    changed = site_items(rules, 3, 1, AREAS, STAFF, overrides)
    lobby = next(i for i in changed if i.subject.id == 1 and i.inspection_kind == "cleaning")
    assert lobby.frequency == Frequency(1, "day")
    assert not [i for i in changed if i.subject.id == 3 and i.inspection_kind == "greening"]
    assert len(changed) == len(plain) - 1
