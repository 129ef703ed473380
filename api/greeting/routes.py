"""Lobby greeting duty 迎候: settings, the month's rota, check-in and check-out at the post,
judged shifts, leave, the managers' calendar feed and the month's compliance."""

import hashlib
import hmac
from datetime import UTC, timedelta

from flask import Response, current_app, g, request
from flask.views import MethodView
from flask_smorest import Blueprint
from icalendar import Calendar, Event

from api.audit_trail import audit, snapshot, update_audited
from api.errors import abort, refuse
from api.greeting.schemas import (
    CalendarLinkSchema,
    CheckSchema,
    FillSlotSchema,
    LeaveQuerySchema,
    LeaveSchema,
    MonthlyQuerySchema,
    MonthlySchema,
    PostCodeSchema,
    RotaCountsQuerySchema,
    RotaCountsSchema,
    RotaRequestSchema,
    RotaResultSchema,
    SettingsSchema,
    ShiftMoveSchema,
    ShiftQuerySchema,
    ShiftSchema,
    TodayQuerySchema,
)
from api.labels_address import label_base_url
from api.security import OFFICE_ROLES, get_or_404, public, reference, roles, visible_site_ids
from models import utcnow, write_transaction
from models.records.greeting_records import (
    check_flags,
    check_movable,
    fill_open_slot,
    generate_rota,
    judge_due,
    local_today,
    move_shift,
    record_check,
    rota_counts,
    settings_for,
    site_windows,
)
from models.refused import Refused
from models.rules.greeting import ShiftOutcome, compliance
from models.rules.greeting_windows import follows_statutory_calendar, windows_for_site
from models.rules.qr_signing import make_token, scan_url
from models.tables.greeting import GreetingShift, ManagerLeave
from models.tables.org import Post, Site, Staff
from models.tables.site_keys import current_key

blp = Blueprint(
    "greeting", __name__, url_prefix="/api/greeting", description="Greeting duty 迎候值班"
)

PLANNERS = ("admin", "supervisor", "hr")


def present(shift: GreetingShift, names: dict[int, str], flags: dict | None = None) -> dict:
    return {
        **{
            f: getattr(shift, f)
            for f in (
                "id",
                "site_id",
                "day",
                "window",
                "post_id",
                "manager_id",
                "starts_at",
                "ends_at",
                "check_in_at",
                "check_out_at",
                "status",
                "late_minutes",
                "early_minutes",
                "overstay_minutes",
            )
        },
        "manager_name": names.get(shift.manager_id, ""),
        "flags": (flags or {}).get(shift.id, []),
    }


def present_all(shifts) -> list[dict]:
    shifts = list(shifts)
    ids = {s.manager_id for s in shifts}
    names = (
        {s.id: s.name for s in Staff.select(Staff.id, Staff.name).where(Staff.id.in_(list(ids)))}
        if ids
        else {}
    )
    flags = check_flags([s.id for s in shifts])
    return [present(s, names, flags) for s in shifts]


def settings_view(site: Site) -> dict:
    settings = settings_for(site)
    try:
        windows = site_windows(site, settings)
    except Refused:
        windows = []  # shown as none until the site has its times
    return {
        "site_id": site.id,
        "minutes": settings.minutes,
        "weekdays": [int(d) for d in settings.weekdays],
        "holidays": sorted(settings.dates("holidays")),
        "extra_workdays": sorted(settings.dates("extra_workdays")),
        "statutory_calendar": settings.statutory_calendar,
        "follows_statutory_calendar": follows_statutory_calendar(
            site.site_type, settings.statutory_calendar
        ),
        "morning_post_id": settings.morning_post_id,
        "evening_post_id": settings.evening_post_id,
        "grace_minutes": settings.grace_minutes,
        "leave_grace_minutes": settings.leave_grace_minutes,
        "overstay_minutes": settings.overstay_minutes,
        "swap_needs_supervisor": settings.swap_needs_supervisor,
        "windows": [
            {
                "code": w.code,
                "start": w.start.strftime("%H:%M"),
                "end": w.end.strftime("%H:%M"),
                "minutes": w.minutes,
            }
            for w in windows
        ],
        # The site's times the windows come from, as stored (set on the site).
        "site_type": site.site_type,
        "workday_start": site.workday_start,
        "evening_peak_start": site.evening_peak_start,
        "evening_peak_end": site.evening_peak_end,
    }


def minutes_problem(site: Site, settings, minutes: int) -> str | None:
    """Why a window length cannot be used at this site (it does not fit in the evening peak,
    or would start the day before), or None. A site without its times yet is no objection."""
    try:
        site_windows(site, settings)
    except Refused:
        return None
    try:
        windows_for_site(
            site.site_type,
            site.workday_start,
            site.evening_peak_start,
            site.evening_peak_end,
            minutes,
        )
    except ValueError as exc:
        return f"迎候时长{minutes}分钟在本项目用不了。{exc}."
    return None


def calendar_signature(staff_id: int) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, f"greeting-calendar:{staff_id}".encode(), hashlib.sha256).hexdigest()[:32]


@blp.route("/settings/<int:site_id>")
class GreetingSettingsView(MethodView):
    @roles(*OFFICE_ROLES)
    @blp.response(200, SettingsSchema)
    def get(self, site_id):
        """A site's greeting duty settings and the windows they give."""
        return settings_view(get_or_404(Site, site_id, Site.id))

    @roles("admin", "supervisor")
    @blp.arguments(SettingsSchema)
    @blp.response(200, SettingsSchema)
    def put(self, data, site_id):
        """Change how a site runs greeting duty (length, days, holidays, posts, judging)."""
        site = get_or_404(Site, site_id, Site.id)
        with write_transaction():
            settings = settings_for(site)
            for field in ("morning_post_id", "evening_post_id"):
                if data.get(field) is not None:
                    reference(Post, data[field], field, site_id=site.id)
            changes = dict(data)
            if "minutes" in changes:
                problem = minutes_problem(site, settings, changes["minutes"])
                if problem:
                    abort(422, "window_length", problem, errors={"json": {"minutes": [problem]}})
            if "weekdays" in changes:
                changes["weekdays"] = "".join(str(d) for d in sorted(set(changes["weekdays"])))
            for field in ("holidays", "extra_workdays"):
                if field in changes:
                    changes[field] = sorted(d.isoformat() for d in set(changes[field]))
            update_audited(settings, changes)
        return settings_view(site)


@blp.route("/rota")
class Rota(MethodView):
    @roles(*PLANNERS)
    @blp.arguments(RotaRequestSchema)
    @blp.response(200, RotaResultSchema)
    def post(self, data):
        """Build a month's rota fairly; run again to rebuild only the future (history is kept)."""
        site = reference(Site, data["site_id"], "site_id")
        try:
            built = generate_rota(site, data["month"], utcnow())
        except Refused as exc:
            refuse(exc)
        with write_transaction():
            audit(
                "rota",
                site,
                reason=f"month {data['month']}: {built.made} made, {built.kept} kept, "
                f"{len(built.open)} open",
            )
        return {
            "made": built.made,
            "kept": built.kept,
            "open": [{"day": day, "window": window} for day, window in built.open],
            "warnings": built.warnings,
        }


@blp.route("/shifts")
class Shifts(MethodView):
    @roles(*OFFICE_ROLES)
    @blp.arguments(ShiftQuerySchema, location="query")
    @blp.response(200, ShiftSchema(many=True))
    def get(self, filters):
        """The month's rota at a site: who, when, where, and how it went."""
        site = reference(Site, filters["site_id"], "site_id")
        judge_due(utcnow(), site.id)
        query = GreetingShift.select().where(
            (GreetingShift.site == site) & (GreetingShift.month == filters["month"])
        )
        if "manager_id" in filters:
            query = query.where(GreetingShift.manager == filters["manager_id"])
        return present_all(query.order_by(GreetingShift.starts_at))


@blp.route("/open-slots")
class OpenSlots(MethodView):
    @roles("admin", "supervisor")
    @blp.arguments(FillSlotSchema)
    @blp.response(201, ShiftSchema)
    def post(self, data):
        """Put a manager on a window the rota left open (a day with too many managers away).

        The window must be one of the site's, not begun, with no shift yet; the manager must
        be an active manager of the site, not on leave that day and free at that time."""
        site = reference(Site, data["site_id"], "site_id")
        with write_transaction():
            staff = reference(Staff, data["manager_id"], "manager_id", site_id=site.id)
            try:
                shift = fill_open_slot(site, data["day"], data["window"], staff, utcnow())
            except Refused as exc:
                refuse(exc)
            audit("create", shift)
        return present_all([shift])[0]


@blp.route("/shifts/<int:shift_id>")
class ShiftById(MethodView):
    @roles("admin", "supervisor")
    @blp.arguments(ShiftMoveSchema)
    @blp.response(200, ShiftSchema)
    def patch(self, data, shift_id):
        """Move a greeting shift that has not begun to another manager of the site.

        The manager must be active, not on leave that day and not on another shift at that
        time. Pending swap offers for the shift are cancelled."""
        with write_transaction():
            shift = get_or_404(GreetingShift, shift_id)
            now = utcnow()
            try:
                check_movable(shift, now)  # whoever is asked for, a begun shift stays
            except Refused as exc:
                refuse(exc)
            staff = reference(Staff, data["manager_id"], "manager_id", site_id=shift.site_id)
            before = snapshot(shift)
            try:
                moved = move_shift(shift, staff, now)
            except Refused as exc:
                refuse(exc, field="manager_id")
            if moved:
                audit("update", shift, before=before)
        return present_all([shift])[0]


@blp.route("/rota-counts")
class RotaCounts(MethodView):
    @roles(*OFFICE_ROLES)
    @blp.arguments(RotaCountsQuerySchema, location="query")
    @blp.response(200, RotaCountsSchema)
    def get(self, filters):
        """How many of the month's greeting shifts each manager has, in all and per window."""
        site = reference(Site, filters["site_id"], "site_id")
        return {"counts": rota_counts(site, filters["month"])}


@blp.route("/my-shifts")
class MyShifts(MethodView):
    @roles("manager", "supervisor", "admin")
    @blp.response(200, ShiftSchema(many=True))
    def get(self):
        """My next greeting shifts (and today's)."""
        if g.user.staff_id is None:
            return []
        since = utcnow() - timedelta(hours=12)
        return present_all(
            GreetingShift.select()
            .where((GreetingShift.manager == g.user.staff_id) & (GreetingShift.ends_at >= since))
            .order_by(GreetingShift.starts_at)
            .limit(20)
        )


@blp.route("/today")
class Today(MethodView):
    @roles(*OFFICE_ROLES)
    @blp.arguments(TodayQuerySchema, location="query")
    @blp.response(200, ShiftSchema(many=True))
    def get(self, filters):
        """Today's greeting shifts at a site with their status, for the supervisor."""
        site = reference(Site, filters["site_id"], "site_id")
        now = utcnow()
        judge_due(now, site.id)
        return present_all(
            GreetingShift.select()
            .where((GreetingShift.site == site) & (GreetingShift.day == local_today(site, now)))
            .order_by(GreetingShift.starts_at)
        )


@blp.route("/checks")
class Checks(MethodView):
    @roles("manager", "supervisor", "admin")
    @blp.arguments(CheckSchema)
    @blp.response(200, ShiftSchema)
    def post(self, data):
        """Check in or out of my shift by scanning the post's code (offline checks count at the
        phone's time when it is plausible)."""
        try:
            shift = record_check(
                check_id=data["id"],
                user=g.user,
                payload=data["payload"],
                kind=data["kind"],
                device_at=data["device_at"],
                photo_id=data.get("photo_id"),
                site_ids=visible_site_ids(),
                now=utcnow(),
            )
        except Refused as exc:
            refuse(exc)
        return present_all([shift])[0]


@blp.route("/posts/<int:post_id>/code")
class PostCode(MethodView):
    @roles("admin", "supervisor")
    @blp.response(200, PostCodeSchema)
    def get(self, post_id):
        """The signed code of a greeting post for its label (the checkpoints' signer)."""
        post = get_or_404(Post, post_id)
        key = current_key(post.site_id)
        token = make_token("p", post.site_id, post.id, key.version, bytes.fromhex(key.secret))
        base = label_base_url()
        return {"token": token, "url": scan_url(base, token), "key_version": key.version}


@blp.route("/leave")
class Leave(MethodView):
    @roles(*PLANNERS)
    @blp.arguments(LeaveQuerySchema, location="query")
    @blp.response(200, LeaveSchema(many=True))
    def get(self, filters):
        """Managers' leave at a site."""
        site = reference(Site, filters["site_id"], "site_id")
        return list(
            ManagerLeave.select()
            .join(Staff)
            .where(Staff.site == site)
            .order_by(ManagerLeave.first_day)
        )

    @roles(*PLANNERS)
    @blp.arguments(LeaveSchema)
    @blp.response(201, LeaveSchema)
    def post(self, data):
        """Record a manager's leave; rebuild the rota to let it take effect."""
        staff = reference(Staff, data["staff_id"], "staff_id")
        with write_transaction():
            leave = ManagerLeave.create(
                staff=staff,
                first_day=data["first_day"],
                last_day=data["last_day"],
                note=data["note"],
            )
        return leave


@blp.route("/monthly")
class Monthly(MethodView):
    @roles(*OFFICE_ROLES)
    @blp.arguments(MonthlyQuerySchema, location="query")
    @blp.response(200, MonthlySchema(many=True))
    def get(self, filters):
        """Each manager's greeting-duty compliance for a month (judged shifts only)."""
        site = reference(Site, filters["site_id"], "site_id")
        judge_due(utcnow(), site.id)
        by_manager: dict[int, list[ShiftOutcome]] = {}
        for shift in GreetingShift.select().where(
            (GreetingShift.site == site)
            & (GreetingShift.month == filters["month"])
            & (GreetingShift.status != "scheduled")
        ):
            by_manager.setdefault(shift.manager_id, []).append(
                ShiftOutcome(
                    shift.status, shift.late_minutes, shift.early_minutes, shift.overstay_minutes
                )
            )
        names = (
            {s.id: s.name for s in Staff.select().where(Staff.id.in_(list(by_manager)))}
            if by_manager
            else {}
        )
        return [
            {
                "manager_id": m,
                "name": names.get(m, ""),
                "shifts": len(o),
                "on_time": sum(x.status == "on_time" for x in o),
                "late": sum(x.status == "late" for x in o),
                "no_show": sum(x.status == "no_show" for x in o),
                "other": sum(x.status not in ("on_time", "late", "no_show") for x in o),
                "compliance": compliance(o),
            }
            for m, o in sorted(by_manager.items())
        ]


@blp.route("/calendar-link")
class CalendarLink(MethodView):
    @roles("manager", "supervisor", "admin")
    @blp.response(200, CalendarLinkSchema)
    @blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
    def get(self):
        """A private link to my shifts as a calendar feed for the phone's calendar app."""
        if g.user.staff_id is None:
            abort(422, "no_staff_record", "This account is not linked to a member of staff.")
        base = current_app.config.get("PUBLIC_BASE_URL") or request.host_url.rstrip("/")
        sig = calendar_signature(g.user.staff_id)
        return {"url": f"{base}/api/greeting/calendar/{g.user.staff_id}/{sig}.ics"}


@blp.route("/calendar/<int:staff_id>/<string:signature>.ics")
class CalendarFeed(MethodView):
    @public
    @blp.response(200, content_type="text/calendar")
    def get(self, staff_id, signature):
        """A manager's greeting shifts (iCalendar). The link itself is the key: calendar apps
        cannot sign in, so the URL carries a signature only the server can make."""
        if not hmac.compare_digest(signature.encode(), calendar_signature(staff_id).encode()):
            abort(404, "not_found", "No such calendar.")
        calendar = Calendar()
        calendar.add("prodid", "-//Xunjian//greeting duty//ZH")
        calendar.add("version", "2.0")
        calendar.add("x-wr-calname", "迎候值班 Greeting duty")
        since = utcnow() - timedelta(days=30)
        shifts = (
            GreetingShift.select(GreetingShift, Site)
            .join(Site)
            .where((GreetingShift.manager == staff_id) & (GreetingShift.starts_at >= since))
            .order_by(GreetingShift.starts_at)
        )
        for shift in shifts:
            event = Event()
            event.add("uid", f"greeting-shift-{shift.id}@xunjian")
            event.add("summary", f"迎候值班 · {shift.site.name}")
            event.add("dtstart", shift.starts_at.replace(tzinfo=UTC))
            event.add("dtend", shift.ends_at.replace(tzinfo=UTC))
            event.add("dtstamp", utcnow().replace(tzinfo=UTC))
            calendar.add_component(event)
        return Response(
            calendar.to_ical(),
            mimetype="text/calendar",
            headers={"Cache-Control": "private, max-age=300"},
        )
