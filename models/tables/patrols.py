"""Patrols 巡更: signed checkpoint codes, routes, schedules, rounds, scans, anomalies 异常 and
shift hand-overs 交接班."""

from peewee import (
    BooleanField,
    CharField,
    DateTimeField,
    FloatField,
    ForeignKeyField,
    IntegerField,
    TextField,
    TimeField,
    UUIDField,
)

from models import BaseModel, JSONField, utcnow
from models.tables.accounts import User
from models.tables.org import Area, Post, Site, Staff

ANOMALY_CATEGORIES = (
    "lighting", "water_leak", "fire_exit_blocked", "fire_equipment", "security", "cleanliness",
    "facility_damage", "check_item_failed", "complaint", "other",
)  # fmt: skip
ANOMALY_STATES = ("open", "resolved", "closed")
CARRIERS = ("qr", "nfc", "manual")
# A flagged scan reviewed: the flag was right (confirmed) or a false alarm (dismissed).
REVIEW_DECISIONS = ("confirmed", "dismissed")


class SiteKey(BaseModel):
    """A site's secret for signing its QR and NFC codes. Rotating adds a version; only the
    newest signs and verifies, so printed labels of older versions stop working."""

    site = ForeignKeyField(Site, backref="keys", on_delete="RESTRICT")
    version = IntegerField()
    secret = CharField(max_length=64)  # hex
    created_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("site", "version"), True),)


class Checkpoint(BaseModel):
    site = ForeignKeyField(Site, backref="checkpoints", on_delete="RESTRICT")
    area = ForeignKeyField(Area, on_delete="RESTRICT")
    name = CharField(max_length=100)
    code = CharField(max_length=32, unique=True)  # short human-readable code on the label
    # Where it is, for the distance check; basements often have no GPS fix at all.
    latitude = FloatField(null=True)
    longitude = FloatField(null=True)
    radius_m = IntegerField(default=50)
    # On-the-spot check items: a checkpoint checklist code (e.g. checkpoint-fire-hydrant).
    checklist = CharField(max_length=48, null=True)
    active = BooleanField(default=True)
    created_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("site", "name"), True),)


class Route(BaseModel):
    site = ForeignKeyField(Site, backref="routes", on_delete="RESTRICT")
    name = CharField(max_length=100)
    active = BooleanField(default=True)
    created_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("site", "name"), True),)


class RouteStop(BaseModel):
    route = ForeignKeyField(Route, backref="stops", on_delete="CASCADE")
    checkpoint = ForeignKeyField(Checkpoint, on_delete="RESTRICT")
    position = IntegerField()
    offset_minutes = IntegerField()  # expected minutes after the round starts

    class Meta:
        indexes = ((("route", "position"), True), (("route", "checkpoint"), True))


class Schedule(BaseModel):
    """When rounds of a route start: every N minutes between two wall-clock times."""

    site = ForeignKeyField(Site, backref="schedules", on_delete="RESTRICT")
    route = ForeignKeyField(Route, on_delete="RESTRICT")
    name = CharField(max_length=100)
    start_time = TimeField()
    end_time = TimeField()
    every_minutes = IntegerField()
    weekdays = CharField(max_length=7, default="0123456")  # 0 = Monday
    start_grace_minutes = IntegerField(default=10)
    duration_minutes = IntegerField(default=60)
    ordered = BooleanField(default=False)
    # Rounds only on working days (models/rules/workdays.py: no rounds on statutory holidays,
    # rounds on 调休 make-up days), e.g. an office tower's daytime round.
    working_days_only = BooleanField(default=False)
    photo_checkpoints = JSONField(default=list)  # checkpoint ids that need a photo
    # A key post's presence check 关键岗位「零脱岗」 is a schedule of a one-checkpoint route.
    post = ForeignKeyField(Post, null=True, on_delete="RESTRICT")
    active = BooleanField(default=True)
    created_at = DateTimeField(default=utcnow)

    @property
    def photo_checkpoint_ids(self) -> set[int]:
        return set(self.photo_checkpoints)


class Round(BaseModel):
    """One round of a schedule, created ahead of time and judged when its time is up."""

    site = ForeignKeyField(Site, on_delete="RESTRICT")
    schedule = ForeignKeyField(Schedule, backref="rounds", on_delete="RESTRICT")
    route = ForeignKeyField(Route, on_delete="RESTRICT")
    # The route's stops when the round was made: editing a route never rewrites history.
    stops = JSONField()  # [[checkpoint_id, offset_minutes], ...]
    photo_checkpoints = JSONField(default=list)
    ordered = BooleanField(default=False)
    start_grace_minutes = IntegerField()
    starts_at = DateTimeField()
    ends_at = DateTimeField()
    month = IntegerField()  # YYYYMM of starts_at in the site's zone
    guard = ForeignKeyField(Staff, null=True, on_delete="RESTRICT")  # assigned, or who picked it up
    status = CharField(max_length=16, default="open")  # open | complete | incomplete | missed
    late = BooleanField(default=False)
    late_minutes = IntegerField(default=0)
    out_of_order = BooleanField(default=False)
    missed_checkpoints = JSONField(default=list)
    flags = JSONField(default=list)  # [{code, reason, reason_zh, scan_id}]
    judged_at = DateTimeField(null=True)
    alerted_overdue_at = DateTimeField(null=True)

    class Meta:
        indexes = (
            (("schedule", "starts_at"), True),
            (("site", "starts_at"), False),
            (("guard", "month", "status"), False),
            (("month", "site", "status", "guard"), False),
            (("status", "ends_at"), False),
        )


class Scan(BaseModel):
    id = UUIDField(primary_key=True)  # made by the phone: an uploaded batch is stored once
    # No single-column index on site, checkpoint or user: the composite indexes below lead
    # with them, and every index is one more write per scan.
    site = ForeignKeyField(Site, on_delete="RESTRICT", index=False)
    checkpoint = ForeignKeyField(Checkpoint, on_delete="RESTRICT", index=False)
    round = ForeignKeyField(Round, null=True, backref="scans", on_delete="RESTRICT")
    user = ForeignKeyField(User, on_delete="RESTRICT", index=False)
    staff = ForeignKeyField(Staff, null=True, on_delete="RESTRICT")
    device_id = CharField(max_length=64, default="")
    carrier = CharField(max_length=8, default="qr")
    key_version = IntegerField()
    device_at = DateTimeField()  # the phone's clock, UTC
    server_at = DateTimeField(default=utcnow)
    gap_seconds = IntegerField()  # server_at - device_at: an offline upload or a wrong clock
    effective_at = DateTimeField()  # the time the round judgement uses
    latitude = FloatField(null=True)
    longitude = FloatField(null=True)
    accuracy_m = FloatField(null=True)
    note = CharField(max_length=500, default="")
    photo_ids = JSONField(default=list)
    answers = JSONField(default=list)  # on-the-spot check items [{code, result, note}]
    flags = JSONField(default=list)
    month = IntegerField()
    # A supervisor's review of a flagged scan, null until then (migration 5). No index: read
    # with the scan, and every index is one more write per scan.
    reviewed_at = DateTimeField(null=True)
    reviewed_by = ForeignKeyField(User, null=True, on_delete="RESTRICT", index=False, backref="+")
    review_decision = CharField(max_length=16, null=True)  # REVIEW_DECISIONS
    review_note = CharField(max_length=500, null=True)

    class Meta:
        indexes = (
            (("checkpoint", "effective_at"), False),
            (("user", "effective_at"), False),
            # "Who else scanned with this phone around then" walks the phone's users and asks
            # each for a scan in the window: a few index seeks, however many scans the phone
            # made (see hot_sql.other_user_of_device).
            (("device_id", "user", "effective_at"), False),
            # A site's scans newest first (the supervisors' list): a page is read off the index.
            (("site", "effective_at"), False),
        )


class Anomaly(BaseModel):
    """Something wrong found on patrol: a follow-up item with an owner and a state."""

    id = UUIDField(primary_key=True)
    site = ForeignKeyField(Site, on_delete="RESTRICT")
    checkpoint = ForeignKeyField(Checkpoint, null=True, on_delete="RESTRICT")
    area = ForeignKeyField(Area, null=True, on_delete="RESTRICT")
    scan = ForeignKeyField(Scan, null=True, on_delete="RESTRICT")
    category = CharField(max_length=24)
    note = CharField(max_length=1000, default="")
    photo_ids = JSONField(default=list)
    reported_by = ForeignKeyField(User, on_delete="RESTRICT")
    reported_at = DateTimeField(default=utcnow)
    owner = ForeignKeyField(Staff, null=True, on_delete="RESTRICT")
    status = CharField(max_length=16, default="open")
    resolved_at = DateTimeField(null=True)
    resolved_by = ForeignKeyField(User, null=True, on_delete="RESTRICT")
    resolution_note = CharField(max_length=1000, default="")
    # The promise's clocks (checklists/promises.toml, models/records/followups.py), fixed when
    # reported.
    urgency = CharField(max_length=8, default="ordinary")  # urgent | ordinary
    promise_kind = CharField(max_length=24, default="")  # anomaly_urgent | … | complaint
    respond_due_at = DateTimeField(null=True)
    resolve_due_at = DateTimeField(null=True)
    responded_at = DateTimeField(null=True)  # someone in the office took it on

    class Meta:
        indexes = ((("site", "status"), False), (("status", "resolve_due_at"), False))


class Handover(BaseModel):
    """A shift hand-over at a post: what is still open, acknowledged by the incoming guard."""

    site = ForeignKeyField(Site, on_delete="RESTRICT")
    post = ForeignKeyField(Post, on_delete="RESTRICT")
    outgoing = ForeignKeyField(User, on_delete="RESTRICT")
    created_at = DateTimeField(default=utcnow)
    content = JSONField()  # {open_anomalies: [...], missed_checkpoints: [...], ...}
    note = CharField(max_length=1000, default="")
    incoming = ForeignKeyField(User, null=True, on_delete="RESTRICT")
    acknowledged_at = DateTimeField(null=True)

    class Meta:
        indexes = ((("post", "created_at"), False),)


class Webhook(BaseModel):
    """A channel a site's alerts are posted to: the generic signed webhook (``generic``, signed
    with the channel's own secret) or a WeCom, DingTalk or Feishu group robot (models/rules/
    robots.py), each for the events it lists (an empty list: every event). A site may have
    several channels; the first generic one is the one POST /api/webhooks sets."""

    site = ForeignKeyField(Site, on_delete="CASCADE")
    kind = CharField(max_length=16, default="generic")  # generic | wecom | dingtalk | feishu
    name = CharField(max_length=60, default="")
    url = CharField(max_length=500)
    # generic: made by the server; dingtalk/feishu: the robot's signing secret (may be empty
    # when the robot is not set to sign); wecom: empty (the key is in the URL).
    secret = CharField(max_length=200, default="")
    events = JSONField(default=list)  # JSON list of event names; [] = every event
    active = BooleanField(default=True)
    created_at = DateTimeField(default=utcnow)


class WebhookDelivery(BaseModel):
    """An alert waiting to be posted (an outbox: the request never waits for the network)."""

    site = ForeignKeyField(Site, on_delete="CASCADE")
    event = CharField(max_length=32)
    dedupe_key = CharField(max_length=100, unique=True)  # one alert per event and object
    body = TextField()
    created_at = DateTimeField(default=utcnow)
    attempts = IntegerField(default=0)
    delivered_at = DateTimeField(null=True)
    last_error = CharField(max_length=300, default="")
    # The channel it goes to; None until the minute tick hands a site's alert to its channels
    # (models/records/webhooks.py), or when the channel was deleted.
    channel = ForeignKeyField(Webhook, null=True, on_delete="SET NULL", backref="deliveries")
