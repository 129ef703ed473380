"""Greeting duty in the database: building a month's rota, recording check-ins at the post,
judging shifts and swapping them. The rules are plain functions in models/rules/."""

import calendar
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from peewee import fn

from models import is_sqlite, write_transaction
from models.records.labels_verify import read_label, verify_label
from models.records.store_once import store_once
from models.refused import Refused
from models.rules import cheating
from models.rules.greeting import judge_shift
from models.rules.greeting_windows import (
    days_off_and_on,
    duty_days,
    follows_statutory_calendar,
    window_instants,
    windows_for_site,
)
from models.rules.offline import effective_time
from models.rules.rota import Assignment, Slot, build_rota, can_swap, open_slots
from models.rules.workdays import not_covered_warning
from models.tables.calendar import site_days, site_duty_calendar
from models.tables.greeting import (
    GreetingCheck,
    GreetingSettings,
    GreetingShift,
    ManagerLeave,
    SwapRequest,
)
from models.tables.org import Post, Site, Staff


def settings_for(site: Site) -> GreetingSettings:
    settings, _ = GreetingSettings.get_or_create(site=site)
    return settings


def site_windows(site: Site, settings: GreetingSettings):
    """The site's duty windows; a site missing its working-day start or evening peak is told so."""
    try:
        return windows_for_site(
            site.site_type,
            site.workday_start,
            site.evening_peak_start,
            site.evening_peak_end,
            settings.minutes,
        )
    except ValueError as exc:
        raise Refused("site_windows", f"Set the site's times first: {exc}.") from exc


def local_today(site: Site, now: datetime) -> date:
    return now.replace(tzinfo=UTC).astimezone(site.zone).date()


def month_days(month: int) -> tuple[date, date]:
    year, number = divmod(month, 100)
    return date(year, number, 1), date(year, number, calendar.monthrange(year, number)[1])


def site_managers(site: Site) -> list[int]:
    """The rotation order: the site's active managers by employee number."""
    return [
        s.id
        for s in Staff.select(Staff.id)
        .where((Staff.site == site) & (Staff.job == "manager") & Staff.active)
        .order_by(Staff.employee_no)
    ]


@dataclass
class RotaBuilt:
    made: int  # shifts made
    kept: int  # shifts under way or past, kept as history
    open: list[tuple[date, str]] = field(default_factory=list)  # (day, window) nobody could take
    warnings: list[str] = field(default_factory=list)


def greeting_calendar(
    site: Site, settings: GreetingSettings, first: date, last: date
) -> tuple[frozenset, frozenset, list[str]]:
    """The days off and make-up working days of a site's greeting duty first..last, and what
    to warn about: the working-day calendar (statute and the site's own days) when the site
    follows it, else only the site's own days; the settings' typed lists on top. A year the
    calendar does not know is said, not guessed."""
    warnings = []
    if follows_statutory_calendar(site.site_type, settings.statutory_calendar):
        calendar_ = site_duty_calendar(site.id, first, last)
        off, on = calendar_.holidays, calendar_.extra_workdays
        warnings = [not_covered_warning(year) for year in calendar_.uncovered_years]
    else:
        own = site_days(site.id, first, last)
        off = {day for day, kind in own.items() if kind == "closed"}
        on = {day for day, kind in own.items() if kind == "open"}
    off, on = days_off_and_on(off, on, settings.dates("holidays"), settings.dates("extra_workdays"))
    return off, on, warnings


def _unavailable_days(managers, standing, rebuild_from: date, last: date) -> dict[int, set[date]]:
    """Each manager's days that cannot take a new window: a shift that stays that day (nobody
    stands two windows a day) or leave."""
    unavailable: dict[int, set[date]] = {m: set() for m in managers}
    for day, _, manager_id in standing:
        unavailable.setdefault(manager_id, set()).add(day)
    for leave in ManagerLeave.select().where(
        ManagerLeave.staff.in_(managers)
        & (ManagerLeave.last_day >= rebuild_from)
        & (ManagerLeave.first_day <= last)
    ):
        day = max(leave.first_day, rebuild_from)
        while day <= min(leave.last_day, last):
            unavailable[leave.staff_id].add(day)
            day += timedelta(days=1)
    return unavailable


def _counts_this_year(site: Site, first: date, last: date) -> dict[int, int]:
    """Each manager's shifts this year up to the month's end: ties in the rota go to whoever
    has stood fewer (rota fairness)."""
    year_start = date(first.year, 1, 1)
    return {
        row.manager_id: row.n
        for row in GreetingShift.select(
            GreetingShift.manager, fn.COUNT(GreetingShift.id).alias("n")
        )
        .where(
            (GreetingShift.site == site)
            & (GreetingShift.day >= year_start)
            & (GreetingShift.day <= last)
        )
        .group_by(GreetingShift.manager)
    }


def generate_rota(site: Site, month: int, now: datetime) -> RotaBuilt:
    """Build (or rebuild) a month's rota: shifts made and kept, windows left open.

    Every window that has not started yet is (re)built, today's included: a rota built at
    08:15 has today's 08:30 window. Shifts that have started, been checked in or judged are
    history and are kept. A month that is over is refused: its shifts are all history. The
    rotation continues after the last manager on duty before the first rebuilt window, and
    counts this year so far break ties fairly. A short day (more windows than managers not on
    leave) does not stop the month: the window nobody can take is left open and reported."""
    settings = settings_for(site)
    first, last = month_days(month)
    today = local_today(site, now)
    if last < today:
        raise Refused(
            "month_past",
            f"{month // 100}年{month % 100}月已经过去，排班是历史记录，不能再生成。"
            f"{month // 100}-{month % 100:02d} is over: its shifts are history and no rota is "
            "built for it.",
        )
    rebuild_from = max(first, today)
    windows = site_windows(site, settings)
    managers = site_managers(site)
    if not managers:
        raise Refused("no_managers", "This site has no active managers to put on the rota.")
    with write_transaction():
        GreetingShift.delete().where(
            (GreetingShift.site == site)
            & (GreetingShift.day >= rebuild_from)
            & (GreetingShift.day <= last)
            & (GreetingShift.starts_at > now)
            & GreetingShift.check_in_at.is_null()
        ).execute()
        kept = (
            GreetingShift.select()
            .where((GreetingShift.site == site) & (GreetingShift.month == month))
            .count()
        )
        # Shifts of the days being rebuilt that stay: begun (today's) or already checked in.
        standing = list(
            GreetingShift.select(GreetingShift.day, GreetingShift.window, GreetingShift.manager)
            .where(
                (GreetingShift.site == site)
                & (GreetingShift.day >= rebuild_from)
                & (GreetingShift.day <= last)
            )
            .tuples()
        )
        taken = {(day, window) for day, window, _ in standing}
        days_off, days_on, calendar_warnings = greeting_calendar(site, settings, rebuild_from, last)
        days = duty_days(
            rebuild_from,
            last,
            frozenset(int(d) for d in settings.weekdays),
            days_off,
            extra_workdays=days_on,
        )
        rules = {w.code: w for w in windows}
        slots = [
            Slot(day, w.code)
            for day in days
            for w in windows
            if (day, w.code) not in taken and window_instants(day, w, site.zone)[0] > now
        ]
        unavailable = _unavailable_days(managers, standing, rebuild_from, last)
        previous = (
            GreetingShift.select(GreetingShift.manager)
            .where((GreetingShift.site == site) & (GreetingShift.day <= last))
            .order_by(GreetingShift.starts_at.desc())
            .first()
        )
        prior = _counts_this_year(site, first, last)
        rota = build_rota(
            slots,
            managers,
            unavailable=unavailable,
            prior_counts=prior,
            last_assigned=previous.manager_id if previous else None,
        )
        posts = {"morning": settings.morning_post_id, "evening": settings.evening_post_id}
        rows = []
        for a in rota:
            start, end = window_instants(a.day, rules[a.window], site.zone)
            if start == end:
                continue  # the window fell into a daylight-saving gap
            rows.append(
                {
                    "site": site.id,
                    "day": a.day,
                    "window": a.window,
                    "post": posts[a.window],
                    "manager": a.manager_id,
                    "starts_at": start,
                    "ends_at": end,
                    "month": a.day.year * 100 + a.day.month,
                }
            )
        if rows:
            GreetingShift.insert_many(rows).on_conflict_ignore().execute()
    unstaffed = [(slot.day, slot.window) for slot in open_slots(slots, rota)]
    warnings = list(calendar_warnings)
    for code in sorted({row["window"] for row in rows if row["post"] is None}):
        warnings.append(
            f"未设置{WINDOW_NAMES[code]}的岗位：请在迎候设置中设置 {code}_post_id，"
            "班次才有可扫码签到的岗位。"
            f"No post is set for the {code} window: set {code}_post_id in "
            f"/api/greeting/settings/{site.id}, so managers know where to stand and scan."
        )
    if unstaffed:
        days = "、".join(sorted({f"{day:%m-%d}" for day, _ in unstaffed}))
        warnings.append(
            f"这些日子请假的经理太多，有迎候班次无人可排，需要安排人员：{days}。"
            f"On {len(unstaffed)} window(s) no manager is free (too many on leave): put "
            "someone on each with POST /api/greeting/open-slots."
        )
    return RotaBuilt(len(rows), kept, unstaffed, warnings)


def judge_due(now: datetime, site_id: int | None = None) -> int:
    """Judge every shift whose window has closed, at its close: one not checked out by then is
    ``missing_check_out`` until the check-out arrives, which judges it again (overstayed,
    on time ...): a late or offline check resets the shift for that (see ``record_check``)."""
    query = GreetingShift.select().where(
        (GreetingShift.status == "scheduled") & (GreetingShift.ends_at <= now)
    )
    if site_id is not None:
        query = query.where(GreetingShift.site == site_id)
    settings: dict[int, GreetingSettings] = {}
    count = 0
    for shift in query:
        if shift.site_id not in settings:
            settings[shift.site_id] = settings_for(Site.get_by_id(shift.site_id))
        rules = settings[shift.site_id]
        outcome = judge_shift(
            shift.starts_at,
            shift.ends_at,
            shift.check_in_at,
            shift.check_out_at,
            grace_minutes=rules.grace_minutes,
            leave_grace_minutes=rules.leave_grace_minutes,
            overstay_minutes=rules.overstay_minutes,
        )
        GreetingShift.update(
            status=outcome.status,
            late_minutes=outcome.late_minutes,
            early_minutes=outcome.early_minutes,
            overstay_minutes=outcome.overstay_minutes,
            judged_at=now,
        ).where(GreetingShift.id == shift.id).execute()
        count += 1
    return count


def record_check(
    *,
    check_id: uuid.UUID,
    user,
    payload: str,
    kind: str,
    device_at: datetime,
    photo_id,
    site_ids,
    now: datetime,
) -> GreetingShift:
    """A manager scanned the post's code to check in or out of their shift.

    Every copy of one check (a double tap, a retry, an offline upload sent again, also at the
    same moment) is stored once and answered with the same shift: the check is inserted with
    ON CONFLICT DO NOTHING and, when another copy was first, that copy's shift is read back.
    A phone clock ahead of the server is not believed: the check counts at the server's time
    and is flagged (see ``check_flags``)."""
    existing = GreetingCheck.get_or_none(GreetingCheck.id == check_id)
    if existing is not None:
        return _stored_copy(existing, user, now)
    token = read_label(payload, "p", site_ids)
    post = Post.get_or_none((Post.id == token.object_id) & (Post.site == token.site_id))
    verify_label(token, post)
    at = effective_time(device_at, now)
    if at is None:
        raise Refused("too_old", "This check is too old to upload.")
    shift = (
        GreetingShift.select()
        .where(
            (GreetingShift.site == post.site_id)
            & (GreetingShift.manager == user.staff_id)
            & (GreetingShift.starts_at <= at + timedelta(minutes=30))
            & (GreetingShift.ends_at >= at - timedelta(hours=2))
        )
        .order_by(GreetingShift.starts_at)
        .first()
    )
    if shift is None:
        raise Refused("no_shift", "You have no greeting shift at this time.")
    if shift.post_id is not None and shift.post_id != post.id:
        raise Refused("wrong_post", "Your shift is at another post.")
    with write_transaction():
        check, first = store_once(
            GreetingCheck(
                id=check_id,
                shift=shift,
                user=user.id,
                kind=kind,
                device_at=device_at,
                server_at=now,
                effective_at=at,
                photo_id=photo_id,
            )
        )
        # A copy stored first (also one racing this one: the insert waits for its transaction)
        # has updated the shift already; this copy only reads back what it did.
        stored = None if first else check
        if stored is None:
            shift = GreetingShift.get_by_id(shift.id)
            if kind == "in" and (shift.check_in_at is None or at < shift.check_in_at):
                shift.check_in_at, shift.check_in_photo = at, photo_id
            if kind == "out" and (shift.check_out_at is None or at > shift.check_out_at):
                shift.check_out_at = at
            shift.status = "scheduled"  # judged again below, with this check
            shift.save()
    if stored is not None:
        return _stored_copy(stored, user, now)
    judge_due(now, shift.site_id)  # a late upload is judged again at once
    return GreetingShift.get_by_id(shift.id)


def _stored_copy(stored: GreetingCheck, user, now: datetime) -> GreetingShift:
    """The answer to a copy of a check already stored: the shift as the first copy left it
    (judged as the first copy's answer was, should this copy come before that judgement)."""
    if stored.user_id != user.id:
        raise Refused("id_taken", "This check id was used by someone else; send a new one.")
    shift = GreetingShift.get_by_id(stored.shift_id)
    judge_due(now, shift.site_id)
    return GreetingShift.get_by_id(shift.id)


def check_flags(shift_ids: list[int]) -> dict[int, list[dict]]:
    """The doubts about each shift's checks: a phone clock ahead of the server (the check
    counted at the server's time instead), as scans flag a clock gap."""
    flags: dict[int, list[dict]] = {}
    if not shift_ids:
        return flags
    for check in GreetingCheck.select().where(
        GreetingCheck.shift.in_(shift_ids) & (GreetingCheck.device_at > GreetingCheck.server_at)
    ):
        flag = cheating.clock_skew(check.device_at, check.server_at, offline=True)
        if flag is not None:
            flags.setdefault(check.shift_id, []).append(
                {
                    "code": flag.code,
                    "reason": flag.reason,
                    "reason_zh": flag.reason_zh,
                    "check_id": str(check.id),
                    "kind": check.kind,
                }
            )
    return flags


WINDOW_NAMES = {"morning": "早班迎候", "evening": "晚班迎候"}


def check_movable(shift: GreetingShift, now: datetime) -> None:
    """Only a shift that has not begun can go to someone else: one under way or past is a
    record of who stood (or should have stood) at the post."""
    if shift.starts_at <= now or shift.check_in_at is not None or shift.status != "scheduled":
        raise Refused(
            "shift_started",
            "此班次已开始或已过去，不能改派给别人。"
            "A shift that has begun or passed cannot be moved.",
            status=409,
        )


def check_taker(shift: GreetingShift, staff: Staff) -> None:
    """The person a shift moves to must be an active manager of the shift's site, not on leave
    that day and not on another shift at an overlapping time (at any site)."""
    name = staff.name
    if staff.site_id != shift.site_id or staff.job != "manager" or not staff.active:
        raise Refused(
            "not_a_manager",
            f"{name}不是本项目在职的经理，不能值迎候班。"
            f"{name} is not an active manager of this site.",
        )
    leave = ManagerLeave.get_or_none(
        (ManagerLeave.staff == staff)
        & (ManagerLeave.first_day <= shift.day)
        & (ManagerLeave.last_day >= shift.day)
    )
    if leave is not None:
        raise Refused(
            "manager_on_leave",
            f"{name}在{shift.day:%Y-%m-%d}请假（{leave.first_day:%m-%d}至{leave.last_day:%m-%d}），"
            f"不能值此班。{name} is on leave on {shift.day:%Y-%m-%d}.",
        )
    overlapping = (
        (GreetingShift.manager == staff)
        & (GreetingShift.starts_at < shift.ends_at)
        & (GreetingShift.ends_at > shift.starts_at)
    )
    if shift.id is not None:  # a stored shift does not overlap itself
        overlapping &= GreetingShift.id != shift.id
    busy = GreetingShift.get_or_none(overlapping)
    if busy is not None:
        window = WINDOW_NAMES.get(busy.window, busy.window)
        raise Refused(
            "shift_overlap",
            f"{name}在此时段已有迎候班次（{busy.day:%Y-%m-%d} {window}），"
            f"不能同时值两个班。{name} already has a greeting shift at that time.",
        )


def fill_open_slot(site: Site, day: date, window: str, staff: Staff, now: datetime):
    """Put a manager on a window the rota left open (a short day): a window of the site on a
    day, not begun, with no shift yet. The taker is checked as for a move. The caller audits."""
    settings = settings_for(site)
    rules = {w.code: w for w in site_windows(site, settings)}
    if window not in rules:
        raise Refused(
            "unknown_window",
            f"本项目没有此迎候时段：{window}。This site has no {window} greeting window.",
        )
    start, end = window_instants(day, rules[window], site.zone)
    if start <= now:
        raise Refused(
            "shift_started",
            "此时段已开始或已过去，不能再排人。A window that has begun or passed cannot be filled.",
            status=409,
        )
    if start == end:
        raise Refused("no_window", "这一天没有此时段（夏令时）。No such window that day.")
    slot = (
        (GreetingShift.site == site) & (GreetingShift.day == day) & (GreetingShift.window == window)
    )
    taken = Refused(
        "slot_taken",
        "这个时段已有人值班；要换人请改派该班次。"
        "This window has a shift already; move that shift instead.",
        status=409,
    )
    if GreetingShift.get_or_none(slot) is not None:
        raise taken
    if not is_sqlite():  # two fills for one person at once would each find them free
        Staff.select(Staff.id).where(Staff.id == staff.id).for_update().execute()
    row = {
        "site": site.id,
        "day": day,
        "window": window,
        "post": {"morning": settings.morning_post_id, "evening": settings.evening_post_id}[window],
        "manager": staff.id,
        "starts_at": start,
        "ends_at": end,
        "month": day.year * 100 + day.month,
    }
    check_taker(GreetingShift(**row), staff)
    same_day = GreetingShift.get_or_none(
        (GreetingShift.site == site) & (GreetingShift.day == day) & (GreetingShift.manager == staff)
    )
    if same_day is not None:  # the rota's rule: nobody stands two windows a day
        raise Refused(
            "same_day",
            f"{staff.name}当天已有迎候班次，一天只值一个班。"
            f"{staff.name} already has a greeting shift that day.",
        )
    GreetingShift.insert(**row).on_conflict_ignore().execute()
    shift = GreetingShift.get(slot)
    if shift.manager_id != staff.id:  # someone filled it at the same moment
        raise taken
    return shift


def move_shift(shift: GreetingShift, staff: Staff, now: datetime) -> bool:
    """Give a future shift to another manager; False when it is theirs already. Offers to swap
    it are void (made by or to the manager who had it) and are cancelled. The caller audits."""
    check_movable(shift, now)
    if staff.id == shift.manager_id:
        return False
    if not is_sqlite():  # SQLite's write transaction already excludes every other writer
        # Two moves to one person at once would each find them free: take turns on their row.
        Staff.select(Staff.id).where(Staff.id == staff.id).for_update().execute()
    check_taker(shift, staff)
    shift.manager = staff.id
    shift.save()
    SwapRequest.update(status="cancelled", responded_at=now).where(
        ((SwapRequest.shift == shift) | (SwapRequest.other_shift == shift))
        & SwapRequest.status.in_(("pending", "accepted"))
    ).execute()
    return True


def rota_counts(site: Site, month: int) -> list[dict]:
    """How many of the month's shifts each manager has, in all and per window: the site's
    active managers (none is a count too) and anyone else on the month's shifts, in the
    rotation order (employee number). Every window the site has is listed for everyone."""
    per_window: dict[int, dict[str, int]] = {}
    for manager_id, window, n in (
        GreetingShift.select(
            GreetingShift.manager, GreetingShift.window, fn.COUNT(GreetingShift.id)
        )
        .where((GreetingShift.site == site) & (GreetingShift.month == month))
        .group_by(GreetingShift.manager, GreetingShift.window)
        .tuples()
    ):
        per_window.setdefault(manager_id, {})[window] = n
    try:
        codes = [w.code for w in site_windows(site, settings_for(site))]
    except Refused:
        codes = []  # the site's times are not set: only the windows its shifts have
    codes += sorted({w for counts in per_window.values() for w in counts} - set(codes))
    ids = set(site_managers(site)) | set(per_window)
    people = (
        Staff.select(Staff.id, Staff.name)
        .where(Staff.id.in_(list(ids)))
        .order_by(Staff.employee_no)
        if ids
        else []
    )
    return [
        {
            "staff_id": person.id,
            "name": person.name,
            "total": sum(per_window.get(person.id, {}).values()),
            "by_window": {code: per_window.get(person.id, {}).get(code, 0) for code in codes},
        }
        for person in people
    ]


def request_swap(shift: GreetingShift, other: GreetingShift, user, today: date) -> SwapRequest:
    assignments = [Assignment(s.day, s.window, s.manager_id) for s in (shift, other)]
    assignments += [
        Assignment(s.day, s.window, s.manager_id)
        for s in GreetingShift.select().where(
            (GreetingShift.site == shift.site_id)
            & GreetingShift.day.in_([shift.day, other.day])
            & GreetingShift.id.not_in([shift.id, other.id])
        )
    ]
    if shift.site_id != other.site_id:
        raise Refused("other_site", "Shifts can be swapped only within a site.")
    if shift.manager_id != user.staff_id:
        raise Refused("not_yours", "You can offer only your own shift.")
    reason = can_swap(assignments[0], assignments[1], assignments, today)
    if reason is not None:
        raise Refused(reason, SWAP_REASONS.get(reason, reason))
    if shift.check_in_at is not None or other.check_in_at is not None:
        raise Refused("past_shift", SWAP_REASONS["past_shift"])
    return SwapRequest.create(
        site=shift.site_id, shift=shift, other_shift=other, requested_by=user.id
    )


SWAP_REASONS = {
    "same_manager": "You cannot swap with yourself.",
    "past_shift": "A shift that has begun or passed cannot be swapped.",
    "same_day_conflict": "After the swap one manager would have two shifts on one day.",
    "not_found": "No such shift.",
}


def apply_swap(swap: SwapRequest, now: datetime) -> None:
    """Exchange the two shifts' managers."""
    a, b = GreetingShift.get_by_id(swap.shift_id), GreetingShift.get_by_id(swap.other_shift_id)
    GreetingShift.update(manager=b.manager_id).where(GreetingShift.id == a.id).execute()
    GreetingShift.update(manager=a.manager_id).where(GreetingShift.id == b.id).execute()
    swap.status, swap.responded_at = "done", now
    swap.save()
