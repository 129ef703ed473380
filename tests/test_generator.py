"""The benchmark company generator: what it makes is counted right and is what the app itself
would have stored (scores, round judgements and shift outcomes by the rules)."""

from collections import Counter, defaultdict
from datetime import date, timedelta

import pytest

from models.demo.generator import (
    MIN_STAFF_PER_SITE,
    ROUND_EVERY,
    generate_company,
    job_counts,
)
from models.records.patrol_records import plan_of
from models.rules.applicability import applicable_items
from models.rules.greeting import judge_shift
from models.rules.periods import month_of
from models.rules.rounds import ScanFact, judge_round
from models.rules.scoring import Answer, ItemRule, grade_for, score_inspection
from models.tables.accounts import User, UserSite
from models.tables.checklists import Checklist, ChecklistVersion, sync_checklists
from models.tables.greeting import GreetingShift
from models.tables.inspections import Inspection, InspectionItem
from models.tables.org import Area, Site, Staff, StaffArea, Team
from models.tables.patrols import Round, Scan
from models.tables.schema import MODELS, upgrade
from tests.conftest import make_app

END_MONTH = 202603  # February and March 2026: whole months in the past
MONTHS = {202602, 202603}
DAYS = [date(2026, 2, 1) + timedelta(days=n) for n in range(28 + 31)]
PRELOADED = {"schema_version", "checklist", "checklist_version"}


@pytest.fixture
def company(app):
    messages = []
    with app.app_context():
        counts = generate_company(
            sites=2,
            staff_per_site=20,
            months=2,
            seed=7,
            end_month=END_MONTH,
            progress=messages.append,
        )
    return counts, messages


def test_counts_match_the_tables(app, company):
    counts, messages = company
    assert len(messages) == 2 and messages[0].startswith("site G0001 (1/2)")
    with app.app_context():
        for model in MODELS:
            table = model._meta.table_name
            if table not in PRELOADED:
                assert model.select().count() == counts.get(table, 0), table
        assert counts["site"] == 2 and counts["staff"] == 40
        assert [(s.code, s.site_type) for s in Site.select().order_by(Site.code)] == [
            ("G0001", "office"),
            ("G0002", "residential"),
        ]


def test_staff_sites_teams_and_areas(app, company):
    with app.app_context():
        teams = {t.id: t.site_id for t in Team.select()}
        areas = {a.id: a.site_id for a in Area.select()}
        for site in Site.select():
            staff = list(Staff.select().where(Staff.site == site))
            assert Counter(s.job for s in staff) == job_counts(20)
            assert 3 <= Team.select().where(Team.site == site).count() <= 5
            assert 7 <= Area.select().where(Area.site == site).count() <= 9
            for person in staff:
                assert person.team_id is not None and teams[person.team_id] == site.id
        links = defaultdict(list)
        for link in StaffArea.select():
            links[link.staff_id].append(link.area_id)
        for person in Staff.select().where(Staff.job.in_(["cleaner", "gardener"])):
            assert 1 <= len(links[person.id]) <= 3
            assert all(areas[a] == person.site_id for a in links[person.id])
        assert not [s for s in links if Staff.get_by_id(s).job not in ("cleaner", "gardener")]
        # Each guard has an account at their site; each site has its inspector.
        for guard in Staff.select().where(Staff.job == "guard"):
            user = User.get(User.staff == guard)
            assert user.role == "guard"
            assert [link.site_id for link in UserSite.select().where(UserSite.user == user)] == [
                guard.site_id
            ]
        assert User.select().where(User.role == "supervisor").count() == 2


def test_inspections_are_scored_as_the_rules_score_them(app, company):
    scoring = app.extensions["xunjian"]["scoring"]  # checklists/scoring.toml, as the app reads it
    with app.app_context():
        versions = {v.id: v for v in ChecklistVersion.select()}
        current = {c.id: c.current_version for c in Checklist.select()}
        staff = {s.id: s for s in Staff.select()}
        areas = {a.id: a for a in Area.select()}
        zones = {s.id: s.zone for s in Site.select()}
        items = defaultdict(list)
        for item in InspectionItem.select().order_by(InspectionItem.position):
            items[item.inspection_id].append(item)
        inspections = list(Inspection.select())
        per_staff, per_area = Counter(), Counter()
        for inspection in inspections:
            version = versions[inspection.checklist_version_id]
            assert version.number == current[inspection.checklist_id]
            assert inspection.month in MONTHS
            assert inspection.month == month_of(inspection.inspected_at, zones[inspection.site_id])
            if inspection.subject_type == "staff":
                person = staff[inspection.staff_id]
                assert inspection.site_id == person.site_id
                assert inspection.team_id == person.team_id
                traits = {"job": person.job, "gender": person.gender}
                per_staff[(person.id, inspection.month, inspection.kind)] += 1
            else:
                area = areas[inspection.area_id]
                assert inspection.site_id == area.site_id
                traits = {"area_type": area.area_type}
                per_area[(area.id, inspection.month)] += 1
            expected = applicable_items(version.data, **traits)
            stored = items[inspection.id]
            assert [i.item_code for i in stored] == [i["code"] for i in expected]
            assert all(
                i.month == inspection.month and i.site_id == inspection.site_id for i in stored
            )
            rules = [
                ItemRule(i["code"], i["weight"], i["critical"], i["limit_seconds"])
                for i in expected
            ]
            answers = [Answer(i.item_code, i.result, i.measured_seconds) for i in stored]
            scored = score_inspection(rules, answers, scoring.critical_cap)
            assert scored.results == {i.item_code: i.result for i in stored}
            assert inspection.score == scored.score
            assert inspection.critical_failed == scored.critical_failed
            grade = grade_for(scored.score, scoring.bands)
            assert inspection.grade == (grade.code if grade else None)
            assert inspection.passed == (
                None if scored.score is None else scored.score >= scoring.pass_mark
            )
        # One grooming and one etiquette inspection per person a month, two per area.
        assert set(per_staff.values()) == {1}
        assert len(per_staff) == len(staff) * len(MONTHS) * 2
        assert set(per_area.values()) == {2}
        assert len(per_area) == len(areas) * len(MONTHS)
        # Mostly passes, with some fails and some items not applicable.
        results = Counter(i.result for rows in items.values() for i in rows)
        assert results["pass"] > 0.8 * sum(results.values())
        assert results["fail"] > 0 and results["na"] > 0


def test_rounds_are_judged_from_their_scans(app, company):
    with app.app_context():
        zones = {s.id: s.zone for s in Site.select()}
        guards = {s.id: s for s in Staff.select().where(Staff.job == "guard")}
        users = {u.id: u.staff_id for u in User.select()}
        scans = defaultdict(list)
        for scan in Scan.select():
            scans[scan.round_id].append(scan)
        rounds = list(Round.select())
        # Every 2 hours all day, every day of both months, at each site.
        assert len(rounds) == 2 * len(DAYS) * (24 * 60 // ROUND_EVERY)
        assert Counter(r.status for r in rounds).most_common(1)[0][0] == "complete"
        assert {"incomplete", "missed"} <= {r.status for r in rounds}
        for round_ in rounds:
            assert round_.month in MONTHS
            assert round_.month == month_of(round_.starts_at, zones[round_.site_id])
            assert guards[round_.guard_id].site_id == round_.site_id
            own = scans[round_.id]
            route = set(plan_of(round_).route)
            for scan in own:
                assert scan.site_id == round_.site_id
                assert scan.checkpoint_id in route
                assert round_.starts_at <= scan.effective_at <= round_.ends_at
                assert scan.staff_id == users[scan.user_id] == round_.guard_id
                assert scan.month == month_of(scan.effective_at, zones[scan.site_id])
                assert scan.gap_seconds == int((scan.server_at - scan.device_at).total_seconds())
                assert scan.key_version == 1
            judgement = judge_round(
                plan_of(round_), [ScanFact(s.checkpoint_id, s.effective_at) for s in own]
            )
            assert round_.status == judgement.status
            assert (round_.late, round_.late_minutes) == (judgement.late, judgement.late_minutes)
            assert round_.out_of_order == judgement.out_of_order
            assert round_.missed_checkpoints == list(judgement.missed)
        assert None not in scans  # every scan belongs to a round


def test_greeting_shifts_follow_the_rota(app, company):
    with app.app_context():
        managers = {s.id: s for s in Staff.select().where(Staff.job == "manager")}
        shifts = list(GreetingShift.select())
        weekdays = [d for d in DAYS if d.weekday() < 5]
        # G0001 is an office tower (morning window), G0002 an estate (evening window).
        assert len(shifts) == 2 * len(weekdays)
        per_day = Counter((s.manager_id, s.day) for s in shifts)
        assert max(per_day.values()) == 1
        for shift in shifts:
            assert managers[shift.manager_id].site_id == shift.site_id
            assert shift.day.weekday() < 5
            assert shift.month == shift.day.year * 100 + shift.day.month
            outcome = judge_shift(
                shift.starts_at, shift.ends_at, shift.check_in_at, shift.check_out_at
            )
            assert (
                shift.status,
                shift.late_minutes,
                shift.early_minutes,
                shift.overstay_minutes,
            ) == (
                outcome.status,
                outcome.late_minutes,
                outcome.early_minutes,
                outcome.overstay_minutes,
            )
        statuses = Counter(s.status for s in shifts)
        assert statuses.most_common(1)[0][0] == "on_time"
        # The rota is fair: counts of a site's managers differ by at most one.
        for site in Site.select():
            counts = Counter(s.manager_id for s in shifts if s.site_id == site.id)
            assert max(counts.values()) - min(counts.values()) <= 1


def test_job_mix():
    assert job_counts(100) == {
        "guard": 40,
        "cleaner": 25,
        "gardener": 10,
        "service_desk": 10,
        "manager": 8,
        "supervisor": 7,
    }
    for staff in range(MIN_STAFF_PER_SITE, 130):
        counts = job_counts(staff)
        assert sum(counts.values()) == staff
        assert counts["manager"] >= 2 and counts["supervisor"] >= 1 and counts["guard"] >= 1


def test_refuses_what_it_cannot_make(app):
    with app.app_context():
        with pytest.raises(ValueError):
            generate_company(sites=1, staff_per_site=MIN_STAFF_PER_SITE - 1, months=1)
        with pytest.raises(ValueError):
            generate_company(sites=1, staff_per_site=20, months=1, end_month=202613)
        assert Site.select().count() == 0


def test_a_second_run_adds_new_sites(app):
    with app.app_context():
        first = generate_company(sites=1, staff_per_site=6, months=1, end_month=END_MONTH)
        second = generate_company(sites=1, staff_per_site=6, months=1, end_month=END_MONTH)
        assert first["scan"] > 0 and second["inspection"] == first["inspection"]
        assert [s.code for s in Site.select().order_by(Site.code)] == ["G0001", "G0002"]


def test_the_same_seed_makes_the_same_company(tmp_path):
    def fingerprint(an_app):
        with an_app.app_context():
            generate_company(sites=1, staff_per_site=10, months=1, seed=3, end_month=END_MONTH)
            return (
                [
                    (i.id, i.staff_id, i.area_id, i.score, i.inspected_at)
                    for i in Inspection.select().order_by(Inspection.id)
                ],
                [(s.id, s.round_id, s.effective_at) for s in Scan.select().order_by(Scan.id)],
                [(r.id, r.status, r.guard_id) for r in Round.select().order_by(Round.id)],
                [
                    (g.id, g.manager_id, g.status)
                    for g in GreetingShift.select().order_by(GreetingShift.id)
                ],
                [
                    (s.employee_no, s.name, s.job, s.team_id)
                    for s in Staff.select().order_by(Staff.id)
                ],
            )

    # Two fresh SQLite files, whichever database the rest of the suite runs on.
    apps = [
        make_app(tmp_path / name, DATABASE_URL=f"sqlite:///{tmp_path / name}.db")
        for name in ("a", "b")
    ]
    try:
        for each in apps:
            with each.app_context():
                upgrade()
                sync_checklists(each.extensions["xunjian"]["checklists"])
        assert fingerprint(apps[0]) == fingerprint(apps[1])
    finally:
        for each in apps:
            each.extensions["xunjian"]["database"].close_all()
