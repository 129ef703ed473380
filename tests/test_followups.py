"""Follow-ups on the promise's clock (issue 20): deadlines when reported, escalation from the
minute tick (owner, then supervisor, then manager, each once), the hand-over list, and a site's
own promises."""

import json
import uuid
from datetime import UTC, datetime, timedelta

from api.cli import run_tick
from models.records.followups import start_anomaly_clock
from models.rules import robots
from models.tables.audit import AuditEntry
from models.tables.calendar import SiteDay
from models.tables.inspections import Rectification
from models.tables.org import Staff
from models.tables.patrols import Anomaly, Webhook, WebhookDelivery
from models.tables.promises import Escalation
from tests.test_inspections import answers_for, form, make_photo, people, submit

__all__ = ["people"]  # the fixture, shared with the inspection tests


def report(world, category="water_leak", user="guard", **extra):
    body = {"id": str(uuid.uuid4()), "site_id": world.site_a.id, "category": category, **extra}
    r = world.client.post("/api/anomalies", json=body, headers=world.headers(user))
    assert r.status_code == 201, r.json
    return r.json


def breaches(app):
    with app.app_context():
        return [
            json.loads(d.body)
            for d in WebhookDelivery.select()
            .where(WebhookDelivery.event == "followup.breached")
            .order_by(WebhookDelivery.id)
        ]


def tick_at(app, moment):
    with app.app_context():
        return run_tick(moment)


def test_an_urgent_anomaly_gets_the_manuals_clocks(app, world):
    anomaly = report(world, "water_leak", note="地下车库漏水")
    assert anomaly["urgency"] == "urgent" and anomaly["promise"] == "anomaly_urgent"
    reported = datetime.fromisoformat(anomaly["reported_at"])
    assert datetime.fromisoformat(anomaly["respond_due_at"]) - reported == timedelta(hours=1)
    assert datetime.fromisoformat(anomaly["resolve_due_at"]) - reported == timedelta(hours=6)
    assert anomaly["clock"] == "running" and anomaly["responded_at"] is None
    ordinary = report(world, "lighting")
    assert ordinary["urgency"] == "ordinary" and ordinary["promise"] == "anomaly_ordinary"
    told_urgent = report(world, "lighting", urgency="urgent")
    assert told_urgent["promise"] == "anomaly_urgent"
    complaint = report(world, "complaint", urgency="urgent")
    assert complaint["promise"] == "complaint"


def test_unanswered_for_an_hour_escalates_once_then_again_at_the_deadline(app, world):
    with app.app_context():
        Webhook.create(site=world.site_a, url="https://hooks.example.com/a", secret="s" * 32)
    anomaly = report(world, "water_leak", note="地下车库漏水")
    with app.app_context():
        reported = Anomaly.get_by_id(anomaly["id"]).reported_at

    tick_at(app, reported + timedelta(minutes=59))
    assert breaches(app) == []
    for minute in (60, 61, 90):  # the tick runs every minute: the step happens once
        tick_at(app, reported + timedelta(minutes=minute))
    first = breaches(app)
    assert [b["step"] for b in first] == ["owner"]
    # Nobody owns it yet: the site's supervisors hear at once, by name.
    assert first[0]["escalated_to"] == "负责人：supervisor"
    assert first[0]["item_id"] == anomaly["id"] and first[0]["promise"] == "紧急异常"

    tick_at(app, reported + timedelta(hours=5, minutes=59))
    assert len(breaches(app)) == 1
    tick_at(app, reported + timedelta(hours=6))
    tick_at(app, reported + timedelta(hours=6, minutes=1))
    steps = breaches(app)
    assert [b["step"] for b in steps] == ["owner", "supervisor"]
    assert steps[1]["escalated_to"] == "主管：supervisor"
    tick_at(app, reported + timedelta(hours=8))
    assert [b["step"] for b in breaches(app)] == ["owner", "supervisor", "manager"]
    assert breaches(app)[2]["escalated_to"] == "管理处经理：manager"
    with app.app_context():
        assert Escalation.select().count() == 3


def test_answered_in_time_the_owner_step_never_comes(app, world):
    anomaly = report(world, "water_leak")
    r = world.client.patch(
        f"/api/anomalies/{anomaly['id']}",
        json={"owner_id": world.staff_a.id},
        headers=world.headers("supervisor"),
    )
    assert r.status_code == 200 and r.json["responded_at"] is not None
    with app.app_context():
        reported = Anomaly.get_by_id(anomaly["id"]).reported_at
        tick_at(app, reported + timedelta(hours=2))
        assert Escalation.select().count() == 0
        tick_at(app, reported + timedelta(hours=6))
        steps = list(Escalation.select())
        assert [(s.step, s.told) for s in steps] == [("supervisor", ["supervisor"])]


def test_resolved_in_time_nothing_escalates(app, world):
    anomaly = report(world, "water_leak")
    r = world.client.patch(
        f"/api/anomalies/{anomaly['id']}",
        json={"status": "resolved", "resolution_note": "阀门已关"},
        headers=world.headers("supervisor"),
    )
    assert r.status_code == 200 and r.json["clock"] == "done"
    with app.app_context():
        reported = Anomaly.get_by_id(anomaly["id"]).reported_at
        tick_at(app, reported + timedelta(days=2))
        assert Escalation.select().count() == 0


def test_a_working_days_promise_skips_the_weekend_and_a_public_holiday(app, world):
    # A complaint on Wednesday 30 September 2026 at 10:00 Beijing time (02:00 UTC): three
    # working days of 09:00-18:00 pass over National Day (1-7 October) and the weekend in it,
    # and end on the 调休 Saturday 10 October at 10:00 (02:00 UTC). When the site also closes
    # on Thursday 8 October (its own day off), the last hour falls on Monday 12 October.
    with app.app_context():
        anomaly = Anomaly(
            id=uuid.uuid4(),
            site=world.site_a,
            category="complaint",
            reported_by=world.users["guard"],
            reported_at=datetime(2026, 9, 30, 2, 0),
        )
        start_anomaly_clock(anomaly, world.site_a, app.extensions["xunjian"]["promises"])
        assert anomaly.promise_kind == "complaint"
        assert anomaly.respond_due_at == datetime(2026, 9, 30, 3, 0)
        assert anomaly.resolve_due_at == datetime(2026, 10, 10, 2, 0)

        SiteDay.create(site=world.site_a, day=datetime(2026, 10, 8).date(), kind="closed")
        start_anomaly_clock(anomaly, world.site_a, app.extensions["xunjian"]["promises"])
        assert anomaly.resolve_due_at == datetime(2026, 10, 12, 2, 0)


def test_the_hand_over_lists_every_open_follow_up_with_its_clock(app, world):
    leak = report(world, "water_leak", note="漏水")
    light = report(world, "lighting", note="灯坏")
    done = report(world, "other", note="已处理")
    world.client.patch(
        f"/api/anomalies/{done['id']}",
        json={"status": "resolved"},
        headers=world.headers("supervisor"),
    )
    r = world.client.post(
        "/api/handovers", json={"post_id": world.post_a.id}, headers=world.headers("guard")
    )
    assert r.status_code == 201, r.json
    listed = r.json["open_followups"]
    assert [f["id"] for f in listed] == [leak["id"], light["id"]]  # the nearest deadline first
    assert listed[0]["kind"] == "anomaly_urgent" and listed[0]["state"] == "running"
    assert datetime.fromisoformat(listed[0]["resolve_due_at"]) == datetime.fromisoformat(
        leak["resolve_due_at"]
    )
    assert listed[1]["what"] == "灯坏" and listed[1]["escalated_to"] == []


def test_an_overdue_rectification_goes_to_its_cleaner_then_the_supervisor(app, world, people):
    checklist = form(world, "cleaning-lobby", area_id=world.area_a.id)
    item = checklist["sections"][0]["items"][0]["code"]
    photo = make_photo(app, world)
    r, _ = submit(
        world,
        checklist,
        answers_for(checklist, fail={item}, photos={item: [photo]}),
        area_id=world.area_a.id,
    )
    assert r.status_code == 201, r.json
    with app.app_context():
        fix = Rectification.get_by_id(r.json["rectification_ids"][0])
        due = fix.due_at
    listed = world.client.get(
        f"/api/followups?site_id={world.site_a.id}", headers=world.headers("guard")
    ).json
    assert [(f["type"], f["kind"], f["owner"]) for f in listed] == [
        ("rectification", "rectification", "陈洁")
    ]
    # Its times read in the site's zone, to the minute the database holds.
    assert listed[0]["site_id"] == world.site_a.id
    assert listed[0]["resolve_due_at"].endswith("+08:00")
    assert datetime.fromisoformat(listed[0]["resolve_due_at"]) == due.replace(tzinfo=UTC)
    tick_at(app, due - timedelta(minutes=1))
    tick_at(app, due)
    with app.app_context():
        assert [(e.step, e.told) for e in Escalation.select()] == [("owner", ["陈洁"])]
    # Days later the supervisor and then the site manager have heard, once each.
    tick_at(app, due + timedelta(days=3))
    with app.app_context():
        steps = [e.step for e in Escalation.select().order_by(Escalation.id)]
        assert steps == ["owner", "supervisor", "manager"]


def test_a_site_keeps_its_own_times(app, world):
    url = "/api/followups/promises"
    body = {
        "site_id": world.site_a.id,
        "kind": "anomaly_urgent",
        "clock": "respond",
        "amount": 30,
        "unit": "minutes",
    }
    assert world.client.put(url, json=body, headers=world.headers("manager")).status_code == 403
    r = world.client.put(url, json=body, headers=world.headers("supervisor"))
    assert r.status_code == 200, r.json
    urgent = next(p for p in r.json["promises"] if p["kind"] == "anomaly_urgent")
    assert urgent["respond"] == {"amount": 30, "unit": "minutes", "text": "30 分钟", "own": True}
    assert urgent["resolve"]["own"] is False and "四(四)3" in urgent["source"]

    leak = report(world, "water_leak")
    reported = datetime.fromisoformat(leak["reported_at"])
    assert datetime.fromisoformat(leak["respond_due_at"]) - reported == timedelta(minutes=30)
    # Site B keeps the company's hour.
    other = world.client.get(
        f"{url}?site_id={world.site_b.id}", headers=world.headers("supervisor-b")
    ).json
    assert (
        next(p for p in other["promises"] if p["kind"] == "anomaly_urgent")["respond"]["amount"]
        == 1
    )
    # Not the other site's supervisor; not a clock the kind does not have; not a year.
    r = world.client.put(url, json=body, headers=world.headers("supervisor-b"))
    assert r.status_code == 404
    r = world.client.put(
        url, json={**body, "kind": "rectification", "clock": "resolve"},
        headers=world.headers("supervisor"),
    )  # fmt: skip
    assert r.status_code == 422 and r.json["errors"]["json"]["clock"]
    r = world.client.put(
        url, json={**body, "amount": 90, "unit": "working_days"}, headers=world.headers("admin")
    )
    assert r.status_code == 422
    r = world.client.delete(
        f"{url}?site_id={world.site_a.id}&kind=anomaly_urgent&clock=respond",
        headers=world.headers("supervisor"),
    )
    urgent = next(p for p in r.json["promises"] if p["kind"] == "anomaly_urgent")
    assert urgent["respond"]["amount"] == 1 and urgent["respond"]["own"] is False
    with app.app_context():
        actions = [e.action for e in AuditEntry.select().where(AuditEntry.entity == "site_promise")]
        assert actions == ["create", "delete"]


def test_the_month_counts_follow_ups_handled_on_time_with_the_trace(app, world):
    with app.app_context():
        engineer = Staff.create(
            employee_no="A-9", name="周工", gender="male", job="engineer", site=world.site_a
        )
    on_time, late = report(world, "lighting"), report(world, "water_leak")
    never = report(world, "other")  # still open: not handled, not counted
    with app.app_context():  # the leak was reported long ago: its 6 hours are over
        Anomaly.update(
            resolve_due_at=datetime.now(UTC).replace(tzinfo=None) - timedelta(hours=1)
        ).where(Anomaly.id == late["id"]).execute()
    for anomaly in (on_time, late, never):
        r = world.client.patch(
            f"/api/anomalies/{anomaly['id']}",
            json={"owner_id": engineer.id}
            | ({"status": "resolved"} if anomaly is not never else {}),
            headers=world.headers("supervisor"),
        )
        assert r.status_code == 200, r.json
    month = int(datetime.now(world.site_a.zone).strftime("%Y%m"))
    r = world.client.get(
        f"/api/monthly/records?site_id={world.site_a.id}&month={month}",
        headers=world.headers("hr"),
    )
    mine = next(rec for rec in r.json if rec["staff_id"] == engineer.id)
    assert (mine["followup_count"], mine["followup_on_time"], mine["followup_rate"]) == (
        2, 1, 50.0,
    )  # fmt: skip
    # performance.toml counts follow-ups for engineers: the only figure, so the composite.
    assert mine["composite"] == 50.0
    guard = next(rec for rec in r.json if rec["staff_id"] == world.staff_a.id)
    assert guard["followup_count"] == 0 and guard["followup_rate"] is None

    r = world.client.get(
        f"/api/monthly/trace?staff_id={engineer.id}&month={month}&component=followup",
        headers=world.headers("hr"),
    )
    assert r.status_code == 200, r.json
    assert sorted((t["id"], t["status"]) for t in r.json) == sorted(
        [(on_time["id"], "on_time"), (late["id"], "late")]
    )
    summary = world.client.get(
        f"/api/monthly/summary?month={month}&site_id={world.site_a.id}",
        headers=world.headers("hr"),
    ).json
    site = summary["sites"][0]
    assert (site["followups_handled"], site["followups_on_time"], site["followup_rate"]) == (
        2, 1, 50.0,
    )  # fmt: skip


def test_the_group_reads_what_broke_by_when_and_who_was_told(app, world):
    with app.app_context():
        Webhook.create(site=world.site_a, url="https://hooks.example.com/a", secret="s" * 32)
    anomaly = report(world, "water_leak", note="地下车库漏水")
    with app.app_context():
        reported = Anomaly.get_by_id(anomaly["id"]).reported_at
    tick_at(app, reported + timedelta(hours=1))
    payload = breaches(app)[0]
    alert = robots.describe(
        "followup.breached", payload, "甲大厦", world.site_a.zone, "https://xj.example.cn"
    )
    lines = robots.markdown_lines(alert)
    assert alert.what == "服务时限超时" and alert.where == "甲大厦"
    due = (reported + timedelta(hours=1)).replace(tzinfo=UTC).astimezone(world.site_a.zone)
    assert f"紧急异常，应于 {due:%Y-%m-%d %H:%M}" in "\n".join(lines)
    assert any("地下车库漏水" in line for line in lines)
    assert any("负责人：supervisor" in line for line in lines)
