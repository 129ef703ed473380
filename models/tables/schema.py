"""Schema creation and upgrades, safe to run any number of times.

``upgrade()`` creates every missing table (never touching existing ones), then runs the
numbered migrations not yet recorded in ``schema_version``. Each migration must itself be
idempotent (check before altering), because on a fresh database the tables are already
created in their newest shape when the migrations run.
"""

from peewee import DateTimeField, IntegerField
from playhouse.migrate import SchemaMigrator, migrate

from models import BaseModel, db, is_sqlite, utcnow
from models.tables.accounts import AuthToken, LoginThrottle, User, UserSite
from models.tables.audit import AuditEntry
from models.tables.calendar import SiteDay
from models.tables.checklists import Checklist, ChecklistVersion
from models.tables.greeting import (
    GreetingCheck,
    GreetingSettings,
    GreetingShift,
    ManagerLeave,
    SwapRequest,
)
from models.tables.inspections import (
    CoachingItem,
    Contractor,
    ContractorArea,
    Inspection,
    InspectionItem,
    Rectification,
)
from models.tables.org import Area, Post, Site, Staff, StaffArea, Team
from models.tables.patrols import (
    Anomaly,
    Checkpoint,
    Handover,
    Round,
    Route,
    RouteStop,
    Scan,
    Schedule,
    SiteKey,
    Webhook,
    WebhookDelivery,
)
from models.tables.performance import Adjustment, MonthClose, MonthlyRecord
from models.tables.photos import Photo
from models.tables.plan_overrides import PlanOverride
from models.tables.promises import Escalation, SitePromise


class SchemaVersion(BaseModel):
    version = IntegerField(primary_key=True)
    applied_at = DateTimeField(default=utcnow)


# In dependency order: a table comes after the tables it refers to.
MODELS = [
    SchemaVersion,
    Site,
    Area,
    Post,
    Team,
    Staff,
    StaffArea,
    User,
    UserSite,
    AuthToken,
    LoginThrottle,
    AuditEntry,
    Checklist,
    ChecklistVersion,
    Photo,
    Contractor,
    ContractorArea,
    Inspection,
    InspectionItem,
    Rectification,
    CoachingItem,
    SiteKey,
    Checkpoint,
    Route,
    RouteStop,
    Schedule,
    Round,
    Scan,
    Anomaly,
    Handover,
    Webhook,
    WebhookDelivery,
    GreetingSettings,
    ManagerLeave,
    GreetingShift,
    GreetingCheck,
    SwapRequest,
    MonthClose,
    MonthlyRecord,
    Adjustment,
    SiteDay,
    PlanOverride,
    SitePromise,
    Escalation,
]


def _add_missing_columns(*fields) -> None:
    """Add the columns of these fields (of one model) that its table lacks: what makes a
    column migration safe to run twice, and on a new database already made with them."""
    table = fields[0].model._meta.table_name
    present = {c.name for c in db.get_columns(table)}
    missing = [f for f in fields if f.column_name not in present]
    if missing:
        migrator = SchemaMigrator.from_database(db)
        migrate(*(migrator.add_column(table, f.column_name, f) for f in missing))


def _slimmer_scan_indexes() -> None:
    """The scan (device_id, effective_at) index also carries user_id, and the single-column
    indexes that a composite index already leads with go. Idempotent: a new database was
    created with these indexes already."""
    for name in ("device_id_effective_at", "site_id", "checkpoint_id", "user_id"):
        db.execute_sql(f'DROP INDEX IF EXISTS "scan_{name}"')
    db.execute_sql(
        'CREATE INDEX IF NOT EXISTS "scan_device_id_effective_at_user_id" '
        'ON "scan" ("device_id", "effective_at", "user_id")'
    )


def _scan_indexes_for_their_queries() -> None:
    """Scan indexes shaped for the queries that use them: "another person on this phone" leads
    with the phone and the user, so the check seeks each of the phone's users instead of
    reading every scan of its day; a site's scans newest first (the scan list) are read off a
    (site, effective_at) index instead of sorting all of the site's scans for each page. The
    (site, month) index served no query."""
    for name in ("device_id_effective_at_user_id", "site_id_month"):
        db.execute_sql(f'DROP INDEX IF EXISTS "scan_{name}"')
    for columns in (("device_id", "user_id", "effective_at"), ("site_id", "effective_at")):
        name = "scan_" + "_".join(columns)
        quoted = ", ".join(f'"{c}"' for c in columns)
        db.execute_sql(f'CREATE INDEX IF NOT EXISTS "{name}" ON "scan" ({quoted})')


def _throttle_keeps_name_digests() -> None:
    """The login throttle keeps a keyed digest of each name typed, not the name (people type
    passwords into the name field). Its rows only count recent failures: they are dropped."""
    LoginThrottle.drop_table(safe=True)
    LoginThrottle.create_table(safe=True)


def _throttle_per_address() -> None:
    """The login throttle counts failures per name and address, and per name from all
    addresses together (models/tables/accounts.py LoginThrottle). Its rows only count recent
    failures: they are dropped."""
    LoginThrottle.drop_table(safe=True)
    LoginThrottle.create_table(safe=True)


def _scan_review_columns() -> None:
    """A flagged scan's review: when, by whom, confirmed or dismissed, and the note. Four
    nullable columns on scan (a scan is recorded without them). Idempotent: a column that is
    there already (a new database has them all) is left alone."""
    _add_missing_columns(Scan.reviewed_at, Scan.reviewed_by, Scan.review_decision, Scan.review_note)


def _greeting_follows_the_calendar() -> None:
    """Greeting settings say whether the site's duty follows the working-day calendar
    (statutory holidays off, 调休 days on); null keeps the default by site type. Idempotent."""
    _add_missing_columns(GreetingSettings.statutory_calendar)


def _schedules_on_working_days() -> None:
    """A schedule may run on working days only (the working-day calendar). Idempotent."""
    _add_missing_columns(Schedule.working_days_only)


def _alert_channels() -> None:
    """Alert channels (issue 20.4): a site may have several webhooks — the generic signed one
    and WeCom, DingTalk and Feishu group robots — each with its kind, name and events, and a
    delivery names the channel it goes to. The unique index on webhook.site_id becomes a plain
    one; the secret column is widened for DingTalk's SEC… secrets (PostgreSQL only: SQLite
    does not enforce lengths). Idempotent: what is there already is left alone."""
    migrator = SchemaMigrator.from_database(db)
    hooks, deliveries = Webhook._meta.table_name, WebhookDelivery._meta.table_name
    have = {c.name for c in db.get_columns(hooks)}
    added = [
        migrator.add_column(hooks, name, field)
        for name, field in (
            ("kind", Webhook.kind),
            ("name", Webhook.name),
            ("events", Webhook.events),
        )
        if name not in have
    ]
    if added:
        migrate(*added)
    unique = [i.name for i in db.get_indexes(hooks) if i.unique and i.columns == ["site_id"]]
    if unique:
        migrate(*(migrator.drop_index(hooks, name) for name in unique))
        migrate(migrator.add_index(hooks, ("site_id",), False))
    if not is_sqlite():
        migrate(migrator.alter_column_type(hooks, "secret", Webhook.secret))
    if "channel_id" not in {c.name for c in db.get_columns(deliveries)}:
        migrate(migrator.add_column(deliveries, "channel_id", WebhookDelivery.channel))


def _site_days_table() -> None:
    """A site's own days in the working-day calendar (closures, days it works). A new table:
    created if missing, so running it twice (or on a new database) changes nothing."""
    SiteDay.create_table(safe=True)


def _plan_overrides_table() -> None:
    """A site's own inspection plan (issue 21): a new table, created if missing, so running it
    twice (or on a database already past version 10) changes nothing."""
    PlanOverride.create_table(safe=True)


def _follow_up_clocks() -> None:
    """Follow-up promises (issue 20): an anomaly's urgency, promise and clocks (five columns
    with defaults, so existing anomalies have no clock), a site's own promises and the record
    of escalations (two new tables), and the month's follow-up figures in the frozen monthly
    record (three columns). Idempotent: what is there already is left alone."""
    _add_missing_columns(
        Anomaly.urgency,
        Anomaly.promise_kind,
        Anomaly.respond_due_at,
        Anomaly.resolve_due_at,
        Anomaly.responded_at,
    )
    table = Anomaly._meta.table_name
    if "anomaly_status_resolve_due_at" not in {i.name for i in db.get_indexes(table)}:
        migrator = SchemaMigrator.from_database(db)
        migrate(migrator.add_index(table, ("status", "resolve_due_at"), False))
    db.create_tables([SitePromise, Escalation], safe=True)
    _add_missing_columns(
        MonthlyRecord.followup_rate, MonthlyRecord.followup_count, MonthlyRecord.followup_on_time
    )


# (number, description, function) bringing a database of the previous version to this one.
# Append only; never renumber. A new database is made from the models as they are now and
# starts at the latest version; a migration should still be safe to run twice.
MIGRATIONS: list = [
    (2, "fewer, covering indexes on scan", _slimmer_scan_indexes),
    (3, "login throttle keeps digests of the names typed", _throttle_keeps_name_digests),
    (4, "scan indexes for shared phones and the scan list", _scan_indexes_for_their_queries),
    (5, "a flagged scan's review", _scan_review_columns),
    (7, "login throttle per name and address", _throttle_per_address),
    (8, "alert channels: group robots and events per channel", _alert_channels),
    (9, "a site's own days in the working-day calendar", _site_days_table),
    (10, "a site's own inspection plan", _plan_overrides_table),
    (11, "greeting duty follows the working-day calendar", _greeting_follows_the_calendar),
    (12, "schedules on working days only", _schedules_on_working_days),
    (13, "follow-up promises: clocks, a site's own promises, escalations", _follow_up_clocks),
]
LATEST_VERSION = max([n for n, _, _ in MIGRATIONS], default=1)


def current_version() -> int:
    if not SchemaVersion.table_exists():
        return 0
    row = SchemaVersion.select(SchemaVersion.version).order_by(SchemaVersion.version.desc()).first()
    return row.version if row else 0


def upgrade() -> list[str]:
    """Bring the schema up to date; returns what was done, for the operator."""
    done = []
    with db.atomic():
        missing = [m for m in MODELS if not m.table_exists()]
        # Only missing tables are made from the models; existing ones change by migration.
        db.create_tables(missing, safe=True)
        done += [f"created table {m._meta.table_name}" for m in missing]
        version = current_version()
        if version == 0:  # a new database, made just now from the current models
            SchemaVersion.create(version=LATEST_VERSION)
            return done
        for number, description, migrate in MIGRATIONS:
            if number > version:
                migrate()
                SchemaVersion.create(version=number)
                done.append(f"migration {number}: {description}")
    return done
