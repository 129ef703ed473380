"""Patrol work in the database: making rounds from schedules, recording scans, judging
rounds, and queueing alerts. The rules themselves are plain functions in models/rules/."""

import re
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from models import write_lock, write_transaction
from models.records import hot_sql
from models.records.followups import start_anomaly_clock
from models.records.labels_verify import label_messages, read_label, verify_label
from models.records.store_once import store_once
from models.records.webhooks import enqueue_alert, queue_delivery
from models.refused import Refused
from models.rules import cheating
from models.rules.applicability import applicable_items
from models.rules.offline import effective_time
from models.rules.periods import month_of
from models.rules.promises import Promises
from models.rules.rounds import RoundPlan, ScanFact, Stop, judge_round, match_round, round_state_now
from models.rules.schedules import ScheduleRule, round_starts
from models.rules.workdays import days_off_on_working_days
from models.tables.calendar import site_days
from models.tables.checklists import Checklist
from models.tables.org import Site
from models.tables.patrols import (
    Anomaly,
    Checkpoint,
    Round,
    RouteStop,
    Scan,
    Schedule,
)
from models.tables.photos import Photo
from models.tables.site_keys import current_key

# Who used a phone within this many hours counts as "the same shift" for shared-phone flags.
SHIFT_HOURS = 12
# The longest a round lasts (a schedule's duration_minutes is at most a day): a scan looks for
# its round among the rounds that started within this long before it.
MAX_ROUND_MINUTES = 24 * 60


# --- rounds -----------------------------------------------------------------------------


def planned_rounds(schedule: Schedule, site: Site, first_day: date, last_day: date) -> list[dict]:
    """The rows of the schedule's rounds whose window starts on these local days, none starting
    before the schedule was created (see models.rules.schedules); no stops, no rounds. The
    schedule need not be saved: the preview asks what a new one would make."""
    weekdays = frozenset(int(d) for d in schedule.weekdays)
    days_off = frozenset()
    if schedule.working_days_only:
        own_days = site_days(site.id, first_day, last_day)
        days_off = days_off_on_working_days(first_day, last_day, weekdays, own_days)
        weekdays = frozenset(range(7))
    rule = ScheduleRule(schedule.start_time, schedule.end_time, schedule.every_minutes, weekdays)
    stops = [
        [s.checkpoint_id, s.offset_minutes]
        for s in RouteStop.select()
        .where(RouteStop.route == schedule.route_id)
        .order_by(RouteStop.position)
    ]
    if not stops:
        return []
    return [
        {
            "site": schedule.site_id,
            "schedule": schedule.id,
            "route": schedule.route_id,
            "stops": stops,
            "photo_checkpoints": schedule.photo_checkpoints,
            "ordered": schedule.ordered,
            "start_grace_minutes": schedule.start_grace_minutes,
            "starts_at": start,
            "ends_at": start + timedelta(minutes=schedule.duration_minutes),
            "month": month_of(start, site.zone),
        }
        for start in round_starts(
            rule, site.zone, first_day, last_day, not_before=schedule.created_at, days_off=days_off
        )
    ]


def upcoming_rounds(schedule: Schedule, site: Site, now: datetime, hours: int) -> list[dict]:
    """The rows of the schedule's rounds starting within ``hours`` from ``now``, as the tick
    makes them (a window that began yesterday may still have rounds to come)."""
    today = now.replace(tzinfo=UTC).astimezone(site.zone).date()
    until = now + timedelta(hours=hours)
    rows = planned_rounds(
        schedule, site, today - timedelta(days=1), today + timedelta(days=hours // 24 + 1)
    )
    return [r for r in rows if now <= r["starts_at"] < until]


def ensure_rounds(schedule: Schedule, first_day: date, last_day: date) -> int:
    """Create the schedule's rounds whose window starts on these local days (none before the
    schedule existed); creating them again creates nothing (unique schedule + start). Returns
    how many rows were new."""
    rows = planned_rounds(schedule, Site.get_by_id(schedule.site_id), first_day, last_day)
    if not rows:
        return 0
    before = Round.select().where(Round.schedule == schedule).count()
    with write_transaction():
        Round.insert_many(rows).on_conflict_ignore().execute()
    return Round.select().where(Round.schedule == schedule).count() - before


def ensure_site_rounds(site: Site, now: datetime) -> None:
    """Yesterday's to tomorrow's rounds (site-local days) for every active schedule of the site."""
    for schedule in Schedule.select().where((Schedule.site == site) & Schedule.active):
        ensure_schedule_rounds(schedule, site, now)


def ensure_schedule_rounds(schedule: Schedule, site: Site, now: datetime) -> int:
    """Yesterday's to tomorrow's rounds (site-local days) of one schedule: made when the
    schedule is saved, so its next round is there for the guards without waiting for the tick."""
    today = now.replace(tzinfo=UTC).astimezone(site.zone).date()
    return ensure_rounds(schedule, today - timedelta(days=1), today + timedelta(days=1))


def plan_of(round_: Round) -> RoundPlan:
    return RoundPlan(
        starts_at=round_.starts_at,
        stops=tuple(Stop(cp, offset) for cp, offset in round_.stops),
        start_grace_minutes=round_.start_grace_minutes,
        duration_minutes=int((round_.ends_at - round_.starts_at).total_seconds() // 60),
        ordered=round_.ordered,
    )


def scan_facts(round_: Round) -> list[ScanFact]:
    return [
        ScanFact(s.checkpoint_id, s.effective_at)
        for s in Scan.select(Scan.checkpoint, Scan.effective_at).where(Scan.round == round_)
    ]


def judge(round_: Round, now: datetime) -> Round:
    """Judge a round whose time is up (again, when a late offline upload adds scans)."""
    plan = plan_of(round_)
    scans = list(Scan.select().where(Scan.round == round_))
    judgement = judge_round(plan, [ScanFact(s.checkpoint_id, s.effective_at) for s in scans])
    flags = [f for f in round_.flags if f["code"] != cheating.BURST_UPLOAD]
    if scans:
        burst = cheating.burst_upload(
            [s.device_at for s in scans], max(s.server_at for s in scans), round_.ends_at
        )
        if burst:
            flags.append(
                {
                    "code": burst.code,
                    "reason": burst.reason,
                    "reason_zh": burst.reason_zh,
                    "scan_id": None,
                }
            )
    round_.status = judgement.status
    round_.late, round_.late_minutes = judgement.late, judgement.late_minutes
    round_.out_of_order = judgement.out_of_order
    round_.missed_checkpoints = list(judgement.missed)
    round_.flags = flags
    round_.judged_at = now
    round_.save()
    if judgement.status != "complete":
        enqueue_alert(
            round_.site_id,
            f"round.{judgement.status}",
            f"round.{judgement.status}:{round_.id}",
            {
                "round_id": round_.id,
                "starts_at": round_.starts_at.isoformat() + "Z",
                "missed_checkpoints": list(judgement.missed),
                "late": judgement.late,
            },
        )
    return round_


def judge_closed_rounds(now: datetime, site_id: int | None = None) -> int:
    """Judge every open round whose window has ended."""
    query = Round.select().where((Round.status == "open") & (Round.ends_at < now))
    if site_id is not None:
        query = query.where(Round.site == site_id)
    count = 0
    for round_ in query:
        with write_transaction():
            write_lock.site_scans_lock(round_.site_id)
            round_ = Round.get_by_id(round_.id)  # a scan may have changed it since the query
            if round_.status == "open":
                judge(round_, now)
                count += 1
    return count


def live_state(round_: Round, now: datetime, facts: list[ScanFact] | None = None) -> dict:
    """What the supervisor sees of a round right now (``facts``: its scans, when already read)."""
    plan = plan_of(round_)
    facts = scan_facts(round_) if facts is None else facts
    state = round_state_now(plan, facts, now) if round_.status == "open" else "closed"
    visited = {f.checkpoint_id for f in facts if plan.is_open_at(f.at)} & set(plan.route)
    return {"state": state, "visited": len(visited), "total": len(plan.route)}


def live_states(rounds: list[Round], now: datetime) -> dict[int, dict]:
    """live_state of many rounds, with their scans read in one query (not one per round)."""
    facts: dict[int, list[ScanFact]] = {r.id: [] for r in rounds}
    if facts:
        for round_id, checkpoint_id, at in (
            Scan.select(Scan.round, Scan.checkpoint, Scan.effective_at)
            .where(Scan.round.in_(list(facts)))
            .tuples()
        ):
            facts[round_id].append(ScanFact(checkpoint_id, at))
    return {r.id: live_state(r, now, facts[r.id]) for r in rounds}


def alert_overdue(now: datetime) -> int:
    """Queue an alert for each open round that is overdue (no scan after its grace)."""
    count = 0
    query = Round.select().where(
        (Round.status == "open")
        & Round.alerted_overdue_at.is_null()
        & (Round.starts_at < now)
        & (Round.ends_at >= now)
    )
    for round_ in query:
        if live_state(round_, now)["state"] == "overdue":
            schedule = Schedule.get_by_id(round_.schedule_id)
            event = "presence.overdue" if schedule.post_id else "round.overdue"
            enqueue_alert(
                round_.site_id,
                event,
                f"{event}:{round_.id}",
                {
                    "round_id": round_.id,
                    "schedule": schedule.name,
                    "post_id": schedule.post_id,
                    "starts_at": round_.starts_at.isoformat() + "Z",
                },
            )
            Round.update(alerted_overdue_at=now).where(Round.id == round_.id).execute()
            count += 1
    return count


# --- scans ------------------------------------------------------------------------------


@dataclass
class ScanInput:
    id: uuid.UUID
    payload: str
    device_at: datetime  # naive UTC
    carrier: str = "qr"
    device_id: str = ""
    latitude: float | None = None
    longitude: float | None = None
    accuracy_m: float | None = None
    note: str = ""
    photo_ids: list = field(default_factory=list)
    answers: list = field(default_factory=list)


# Why a scan is rejected: reason code -> (English, Chinese); a label's reasons first.
MESSAGES = {
    **label_messages("c"),
    "duplicate_scan": (
        "This checkpoint was just scanned; the first scan counts.",
        "刚刚已扫过此点，以第一次为准。",
    ),
    "too_old": ("This scan is too old to upload.", "此扫描记录过旧，无法上传。"),
    "check_items_missing": (
        "Answer every check item of this checkpoint.",
        "请完成此点的全部检查项。",
    ),
    "photo_required": ("This checkpoint needs a photo.", "此巡更点需要拍照。"),
    "unknown_photo": ("A photo is unknown here or already used.", "照片不存在或已被使用。"),
    "id_taken": ("This scan id is taken; make a new one.", "扫描编号已被占用。"),
}


def scan_refused(code: str, detail: str = "", detail_zh: str = "") -> Refused:
    """The refusal of a scan for this reason, its message saying more when ``detail`` does."""
    message, message_zh = MESSAGES[code]
    return Refused(
        code, message + (f" {detail}" if detail else ""), message_zh=message_zh + detail_zh
    )


def outcome_of(scan: Scan) -> dict:
    flags = scan.flags
    return {
        "id": scan.id,
        "status": "flagged" if flags else "accepted",
        "code": None,
        "message": None,
        "checkpoint_id": scan.checkpoint_id,
        "round_id": scan.round_id,
        "flags": flags,
    }


def rejection(scan_id, refused: Refused) -> dict:
    return {
        "id": scan_id,
        "status": "rejected",
        "code": refused.reason,
        "message": refused.message,
        "message_zh": refused.message_zh,
        "checkpoint_id": None,
        "round_id": None,
        "flags": [],
    }


def record_scan(
    item: ScanInput,
    *,
    user,
    site_ids: list[int] | None,
    offline: bool,
    now: datetime,
    promises: Promises,
) -> dict:
    """Check and store one scan in its own transaction; returns its outcome (accepted, flagged
    or rejected, and why). Storing the same scan id again answers the stored outcome (another
    user's id: id_taken).

    A new scan is not looked up first: a resubmission is caught by its insert meeting the
    stored row (nothing is written before the insert), and before any rejection is answered
    the id is looked up, so a resubmission is never refused, e.g. as a duplicate of itself."""
    try:
        if _typed_code(item):
            checkpoint, key_ver = _find_typed(item, site_ids)
        else:
            token = read_label(item.payload, "c", site_ids)
            checkpoint = hot_sql.checkpoint_to_scan(token.object_id, token.site_id)
            key_ver = verify_label(token, checkpoint, _current_version(checkpoint))
        # What other scans at this site cannot change is read before the site's lock, so the
        # lock is held for fewer round trips (PostgreSQL: 4 instead of 6).
        lookups = ScanLookUp(item, checkpoint, user.id, now)
        with write_lock.queued_write_transaction():
            write_lock.site_scans_lock(checkpoint.site_id)
            return _store(
                item,
                checkpoint,
                key_ver,
                user=user,
                offline=offline,
                now=now,
                lookups=lookups,
                promises=promises,
            )
    except Refused as refused:
        return _answer_refused(item, refused, user)


def record_scan_batch(
    items: list[ScanInput], *, user, site_ids, now: datetime, promises: Promises
) -> list[dict]:
    """Scans taken offline, stored in one transaction (one commit), each with its own outcome
    as record_scan gives it. Each code is verified once, before the transaction (reads only, as
    for a single scan); then the sites of the verified scans are locked, in order (see
    models.write_lock.site_scans_lock), and the scans stored. A rejected scan or one sent
    before writes nothing (every check comes before the insert, and the insert skips a stored
    id), so no scan needs a savepoint of its own (on PostgreSQL two round trips each) and none
    sinks the others."""
    outcomes: list[dict | None] = [None] * len(items)
    tokens = {}  # position in the batch -> its code's token
    verified = {}  # position in the batch -> (checkpoint, key version)
    for n, item in enumerate(items):
        try:
            if _typed_code(item):
                verified[n] = _find_typed(item, site_ids)
            else:
                tokens[n] = read_label(item.payload, "c", site_ids)
        except Refused as refused:
            outcomes[n] = _answer_refused(item, refused, user)
    checkpoints = hot_sql.checkpoints_to_scan((t.object_id, t.site_id) for t in tokens.values())
    for n, token in tokens.items():
        checkpoint = checkpoints.get((token.object_id, token.site_id))
        try:
            verified[n] = checkpoint, verify_label(token, checkpoint, _current_version(checkpoint))
        except Refused as refused:
            outcomes[n] = _answer_refused(items[n], refused, user)
    with write_lock.queued_write_transaction():
        write_lock.site_scans_locks(checkpoint.site_id for checkpoint, _ in verified.values())
        lookups = BatchLookUp([items[n] for n in verified], user.id, now)
        for n, (checkpoint, key_ver) in sorted(verified.items()):
            item = items[n]
            try:
                outcomes[n] = _store(
                    item,
                    checkpoint,
                    key_ver,
                    user=user,
                    offline=True,
                    now=now,
                    lookups=lookups,
                    promises=promises,
                )
            except Refused as refused:
                outcomes[n] = _answer_refused(item, refused, user)
    for n in set(range(len(items))) - set(verified):
        outcomes[n] = _resent_in_batch(items, outcomes, n) or outcomes[n]
    return outcomes


def _resent_in_batch(items: list[ScanInput], outcomes: list[dict], n: int) -> dict | None:
    """The stored outcome of an earlier scan of this batch with this scan's id: sent one by one,
    this code would have been answered after that scan was stored, as its resubmission. (Its
    code was refused before the batch's transaction, when the earlier scan was not stored yet.)"""
    return next(
        (
            outcomes[m]
            for m in range(n)
            if items[m].id == items[n].id and outcomes[m]["status"] != "rejected"
        ),
        None,
    )


class LookUp:
    """The look-ups of a scan's checks that other guards' scans at the site cannot change:
    another person on the phone, where the guard last scanned, and whether the site has a
    webhook. This one asks the database each time."""

    def other_user_of_device(self, device_id: str, at: datetime, user_id: int):
        start, end = _shift_around(at)
        return hot_sql.other_user_of_device(device_id, start, end, user_id)

    def last_scan_of_user(self, user_id: int, at: datetime):
        return hot_sql.last_scan_of_user(user_id, at - TOO_FAST_LOOKBACK, at)

    def site_has_webhook(self, site_id: int) -> bool:
        return hot_sql.site_has_webhook(site_id)


class ScanLookUp(LookUp):
    """A single scan's look-ups, read before the site's scan lock is taken (the guard's own
    scans and the phone's other users are not what the lock protects: a guard scanning twice
    at once is caught as a duplicate under the lock)."""

    def __init__(self, item: ScanInput, checkpoint: Checkpoint, user_id: int, now: datetime):
        self._at = effective_time(item.device_at, now)
        self._other = self._previous = None
        if self._at is None:
            return  # too old: refused under the lock, nothing to read
        if item.device_id:
            self._other = super().other_user_of_device(item.device_id, self._at, user_id)
        if _where_scanned(item, checkpoint) is not None:
            self._previous = super().last_scan_of_user(user_id, self._at)

    def other_user_of_device(self, device_id: str, at: datetime, user_id: int):
        if at != self._at:  # not the time read for (never, as _store computes it the same way)
            return super().other_user_of_device(device_id, at, user_id)
        return self._other

    def last_scan_of_user(self, user_id: int, at: datetime):
        if at != self._at:
            return super().last_scan_of_user(user_id, at)
        return self._previous


class BatchLookUp(LookUp):
    """The same look-ups for one user's batch, read once for all its scans instead of once per
    scan (on PostgreSQL a round trip each, half the time of a 500-scan batch). A batch holds only
    its user's scans, so storing them cannot put another person on a phone; other guards' scans
    at the batch's sites wait for its write lock."""

    def __init__(self, items: list[ScanInput], user_id: int, now: datetime):
        self._others = {}  # device id -> [(other user id, effective time)]
        devices = {item.device_id for item in items if item.device_id}
        if devices:
            # Every scan's effective time lies between these (a phone ahead counts as now).
            shift = timedelta(hours=SHIFT_HOURS)
            start = min(now, *(item.device_at for item in items)) - shift
            end = max(now, *(item.device_at for item in items)) + shift
            for device_id, other, at in hot_sql.other_users_of_devices(
                devices, start, end, user_id
            ):
                self._others.setdefault(device_id, []).append((other, at))
        self._webhooks = {}  # site id -> has an active webhook

    def other_user_of_device(self, device_id: str, at: datetime, user_id: int):
        start, end = _shift_around(at)
        others = self._others.get(device_id, [])
        return next((o for o, at in others if o != user_id and start <= at <= end), None)

    def site_has_webhook(self, site_id: int) -> bool:
        if site_id not in self._webhooks:
            self._webhooks[site_id] = hot_sql.site_has_webhook(site_id)
        return self._webhooks[site_id]


def _answer_refused(item: ScanInput, refused: Refused, user) -> dict:
    """The answer to a scan that was refused: the stored outcome when its id was stored before
    (a resubmission is never refused), else the rejection."""
    stored = Scan.get_or_none(Scan.id == item.id)
    if stored is not None:
        return _stored_outcome(stored, user)
    return rejection(item.id, refused)


def _stored_outcome(stored: Scan, user) -> dict:
    if stored.user_id != user.id:
        return rejection(stored.id, scan_refused("id_taken"))
    return outcome_of(stored)


def _current_version(checkpoint: Checkpoint | None) -> int | None:
    """The site's current key version as hot_sql read it with the checkpoint (None: not found,
    verify_label reads it)."""
    return checkpoint.current_version if checkpoint is not None else None


# A label's short code (e.g. "HRZX-C-0345"), typed by hand when its QR code is damaged.
SHORT_CODE = re.compile(r"^[A-Z0-9-]{2,16}-C-\d{1,10}$")
TYPED_CODE = cheating.Flag(
    "typed_code",
    "The label's short code was typed by hand; its QR code was not scanned.",
    "手动输入了标签编码，没有扫描二维码。",
)


def _typed_code(item: ScanInput) -> str | None:
    """The short code of a scan typed by hand (carrier "manual"), else None (a scanned code)."""
    code = item.payload.strip().upper()
    return code if item.carrier == "manual" and SHORT_CODE.match(code) else None


def _find_typed(item: ScanInput, site_ids: list[int] | None) -> tuple[Checkpoint, int]:
    """The active checkpoint a typed short code names at one of the caller's sites, with the
    site's current key version; else Refused. Nothing is signed: the scan is flagged."""
    found = Checkpoint.get_or_none(Checkpoint.code == _typed_code(item))
    if found is None:
        raise scan_refused("unknown_checkpoint")
    if site_ids is not None and found.site_id not in site_ids:
        raise scan_refused("other_site")
    checkpoint = hot_sql.checkpoint_to_scan(found.id, found.site_id)
    if checkpoint is None or not checkpoint.active:
        raise scan_refused("unknown_checkpoint")
    # A site whose labels were never printed has no key yet: the first is made as printing would.
    return checkpoint, checkpoint.current_version or current_key(checkpoint.site_id).version


def _store(
    item: ScanInput,
    checkpoint: Checkpoint,
    key_ver: int,
    *,
    user,
    offline: bool,
    now: datetime,
    lookups: LookUp,
    promises: Promises,
) -> dict:
    """Check one verified scan and store it with what follows from it (its photos, the anomalies
    of its failed check items, its round's guard and flags, the flagged-scan alert). Every check
    comes before the first write, so a refused scan writes nothing."""
    # A phone clock ahead of the server is not believed; the server's time counts instead.
    effective_at = effective_time(item.device_at, now)
    if effective_at is None:
        raise scan_refused("too_old")
    # The checkpoint's scans within a minute either side (a few rows at most): the same guard's
    # is a duplicate, another phone's is a flag (see _flags).
    nearby = hot_sql.scans_at_checkpoint(
        checkpoint.id, effective_at - timedelta(seconds=60), effective_at + timedelta(seconds=60)
    )
    if any(
        user_id == user.id and cheating.duplicate_scan(at, effective_at)
        for user_id, _, at in nearby
    ):
        raise scan_refused("duplicate_scan")
    round_ = _match(checkpoint, effective_at)
    answers = _check_items(checkpoint, item.answers)
    _check_photos_given(item, checkpoint, round_)
    flags = [
        f
        for f in _flags(item, checkpoint, effective_at, nearby, user, offline, now, lookups)
        if f is not None
    ]
    if _typed_code(item):
        flags.append(TYPED_CODE)
    flag_rows = [{"code": f.code, "reason": f.reason, "reason_zh": f.reason_zh} for f in flags]

    scan = _new_scan(item, checkpoint, key_ver, round_, user, now, effective_at, answers, flag_rows)
    scan, stored_now = store_once(scan)  # the first write: a resubmitted id stops here
    if not stored_now:
        return _stored_outcome(scan, user)
    if item.photo_ids:
        Photo.update(owner_type="scan", owner_id=str(scan.id)).where(
            Photo.id.in_(item.photo_ids)
        ).execute()
    _open_failed_items(scan, checkpoint, answers, user, promises)
    if round_ is not None:
        _update_round(round_, scan, user, flag_rows, now)
    if flag_rows and lookups.site_has_webhook(checkpoint.site_id):
        queue_delivery(
            checkpoint.site_id,
            "scan.flagged",
            f"scan.flagged:{scan.id}",
            {"scan_id": str(scan.id), "checkpoint_id": checkpoint.id, "flags": flag_rows},
        )
    return outcome_of(scan)


def _check_photos_given(item: ScanInput, checkpoint: Checkpoint, round_: Round | None) -> None:
    """A round that asks for a photo at this checkpoint gets one; the photos named are the
    site's and nobody's yet."""
    if round_ is not None and checkpoint.id in round_.photo_checkpoints and not item.photo_ids:
        raise scan_refused("photo_required")
    _check_photos(checkpoint.site_id, item.photo_ids)


def _new_scan(item, checkpoint, key_ver, round_, user, now, effective_at, answers, flag_rows):
    """The scan's row, not yet saved."""
    return Scan(
        id=item.id,
        site=checkpoint.site_id,
        checkpoint=checkpoint,
        round=round_,
        user=user.id,
        staff=user.staff_id,
        device_id=item.device_id,
        carrier=item.carrier,
        key_version=key_ver,
        device_at=item.device_at,
        server_at=now,
        gap_seconds=int((now - item.device_at).total_seconds()),
        effective_at=effective_at,
        latitude=item.latitude,
        longitude=item.longitude,
        accuracy_m=item.accuracy_m,
        note=item.note,
        photo_ids=[str(p) for p in item.photo_ids],
        answers=answers,
        flags=flag_rows,
        month=month_of(effective_at, ZoneInfo(checkpoint.site_timezone)),
    )


def _open_failed_items(scan: Scan, checkpoint, answers: list[dict], user, promises) -> None:
    """An anomaly for each check item the guard marked failed, on its promise's clock like
    one reported by hand (models/records/followups.py)."""
    failed = [answer for answer in answers if answer["result"] == "fail"]
    site = Site.get_by_id(checkpoint.site_id) if failed else None
    for answer in failed:
        anomaly = Anomaly(
            id=uuid.uuid4(),
            site=checkpoint.site_id,
            checkpoint=checkpoint,
            area=checkpoint.area_id,
            scan=scan,
            category="check_item_failed",
            note=f"{answer['code']}: {answer.get('note', '')}",
            reported_by=user.id,
            reported_at=scan.server_at,
        )
        start_anomaly_clock(anomaly, site, promises)
        anomaly.save(force_insert=True)


def _update_round(round_: Round, scan: Scan, user, flag_rows: list[dict], now: datetime) -> None:
    """The round learns its guard (the first scanner with a staff record) and the scan's flags;
    a round already judged is judged again (an offline upload after its end)."""
    changed = False
    if round_.guard_id is None and user.staff_id is not None:
        round_.guard = user.staff_id
        changed = True
    if flag_rows:
        round_.flags = round_.flags + [{**f, "scan_id": str(scan.id)} for f in flag_rows]
        changed = True
    if changed:
        hot_sql.save_round_guard_and_flags(round_)
    if round_.status != "open":
        judge(round_, now)


def _match(checkpoint: Checkpoint, at: datetime) -> Round | None:
    candidates = hot_sql.rounds_open_at(
        checkpoint.site_id, at, at - timedelta(minutes=MAX_ROUND_MINUTES)
    )
    plans = [(r.id, plan_of(r)) for r in candidates]
    matched = match_round(
        [(rid, plan) for rid, plan in plans if checkpoint.id in plan.route], checkpoint.id, at
    )
    return next((r for r in candidates if r.id == matched), None)


def _check_items(checkpoint: Checkpoint, answers: list[dict]) -> list[dict]:
    """On-the-spot check items cannot be skipped: every item answered, none unknown."""
    if checkpoint.checklist is None:
        return []
    current = hot_sql.current_checklist(checkpoint.checklist)
    if current is None:  # a checkpoint's checklist is checked when it is set
        raise Checklist.DoesNotExist(f"checklist {checkpoint.checklist!r}")
    number, content = current
    items = applicable_items(content)
    codes = [i["code"] for i in items]
    given = {a["code"]: a for a in answers}
    if set(given) != set(codes):
        raise scan_refused("check_items_missing", *_unanswered(items, given))
    return [
        {
            "code": c,
            "result": given[c]["result"],
            "note": given[c].get("note", ""),
            "checklist_version": number,
        }
        for c in codes
    ]


def _unanswered(items: list[dict], given: dict) -> tuple[str, str]:
    """Which check items a scan left out or does not have, named in the standard's words (its
    requirement), in English and in Chinese."""
    missing = [i for i in items if i["code"] not in given]
    codes = {i["code"] for i in items}
    unknown = sorted(code for code in given if code not in codes)
    english, chinese = [], []
    if missing:
        english.append(
            "Not answered: "
            + "; ".join(i.get("requirement_en") or i["code"] for i in missing)
            + "."
        )
        chinese.append(
            "未答：" + "、".join(f"「{i.get('requirement') or i['code']}」" for i in missing) + "。"
        )
    if unknown:
        english.append("Not items of this checkpoint: " + ", ".join(unknown) + ".")
        chinese.append("不属于此点的检查项：" + "、".join(unknown) + "。")
    return " ".join(english), "".join(chinese)


def _check_photos(site_id: int, photo_ids: list) -> None:
    if not photo_ids:
        return
    found = list(
        Photo.select(Photo.id, Photo.owner_id).where(
            Photo.id.in_(photo_ids) & (Photo.site == site_id)
        )
    )
    if len(found) != len(set(photo_ids)) or any(p.owner_id for p in found):
        raise scan_refused("unknown_photo")


TOO_FAST_LOOKBACK = timedelta(hours=2)  # the guard's previous scan, for "too fast to walk"


def _shift_around(at: datetime) -> tuple[datetime, datetime]:
    """A shift either side of a scan: another person on its phone within it is flagged."""
    return at - timedelta(hours=SHIFT_HOURS), at + timedelta(hours=SHIFT_HOURS)


def _where_scanned(item: ScanInput, checkpoint: Checkpoint) -> tuple[float, float] | None:
    """The scan's place: the phone's GPS, else the checkpoint's own; None when neither is known."""
    lat = item.latitude if item.latitude is not None else checkpoint.latitude
    lon = item.longitude if item.longitude is not None else checkpoint.longitude
    return (lat, lon) if lat is not None and lon is not None else None


def _flags(
    item: ScanInput,
    checkpoint: Checkpoint,
    at: datetime,
    nearby: list[tuple[int, str, datetime]],
    user,
    offline: bool,
    now: datetime,
    lookups: LookUp,
):
    """Every suspicion about this scan: flagged for a person to judge, never silently dropped.
    ``nearby`` is (user id, device id, time) of the checkpoint's scans within a minute."""
    yield cheating.clock_skew(item.device_at, now, offline=offline)
    if item.latitude is not None and checkpoint.latitude is not None:
        yield cheating.far_from_checkpoint(
            item.latitude,
            item.longitude,
            item.accuracy_m,
            checkpoint.latitude,
            checkpoint.longitude,
            checkpoint.radius_m,
        )
    here = _where_scanned(item, checkpoint)
    if here is not None:
        # Where was this guard last, and when? Only worth asking when we know where they are now.
        lat, lon = here
        previous = lookups.last_scan_of_user(user.id, at)
        if previous is not None and previous[0] != checkpoint.id:
            _, prev_at, scan_lat, scan_lon, cp_lat, cp_lon = previous
            prev_lat = scan_lat if scan_lat is not None else cp_lat
            prev_lon = scan_lon if scan_lon is not None else cp_lon
            if prev_lat is not None and prev_lon is not None:
                yield cheating.too_fast(prev_at, prev_lat, prev_lon, at, lat, lon)
    if item.device_id:
        others = [t for _, device_id, t in nearby if device_id != item.device_id]
        yield cheating.two_devices_one_checkpoint(others, at)
        # Another person on this phone within the shift? One row answers it (LIMIT 1).
        other = lookups.other_user_of_device(item.device_id, at, user.id)
        users = {user.id} | ({other} if other is not None else set())
        yield cheating.one_device_two_guards(users, user.id)
