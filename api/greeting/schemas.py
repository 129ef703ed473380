import marshmallow as ma

from api.extensions import QuerySchema, Schema
from api.fields import ZonedDateTime, month_field, text_field

MONTH = month_field(required=True)


class WindowSchema(Schema):
    code = ma.fields.String(metadata={"description": "morning | evening"})
    start = ma.fields.String(metadata={"description": "HH:MM, the site's wall clock"})
    end = ma.fields.String(metadata={"description": "HH:MM"})
    minutes = ma.fields.Integer()


class SettingsSchema(Schema):
    site_id = ma.fields.Integer(dump_only=True)
    weekdays = ma.fields.List(
        ma.fields.Integer(validate=ma.validate.Range(0, 6)),
        validate=ma.validate.Length(min=1, max=7),
    )
    holidays = ma.fields.List(ma.fields.Date(), validate=ma.validate.Length(max=100))
    extra_workdays = ma.fields.List(
        ma.fields.Date(),
        validate=ma.validate.Length(max=50),
        metadata={"description": "make-up working days 调休"},
    )
    statutory_calendar = ma.fields.Boolean(
        allow_none=True,
        metadata={
            "description": "duty stops on statutory holidays and is stood on 调休 make-up days "
            "(GET /api/calendar); null: by site type (offices and mixed sites yes, estates no)"
        },
    )
    follows_statutory_calendar = ma.fields.Boolean(
        dump_only=True, metadata={"description": "what statutory_calendar (or its default) gives"}
    )
    morning_post_id = ma.fields.Integer(allow_none=True)
    evening_post_id = ma.fields.Integer(allow_none=True)
    grace_minutes = ma.fields.Integer(validate=ma.validate.Range(0, 30))
    leave_grace_minutes = ma.fields.Integer(validate=ma.validate.Range(0, 30))
    overstay_minutes = ma.fields.Integer(validate=ma.validate.Range(1, 120))
    swap_needs_supervisor = ma.fields.Boolean()
    minutes = ma.fields.Integer(
        validate=ma.validate.Range(5, 120),
        metadata={"description": "how long every window lasts (an estate's inside its peak)"},
    )
    windows = ma.fields.List(
        ma.fields.Nested(WindowSchema),
        dump_only=True,
        metadata={"description": "the windows used, none until the site has its times"},
    )
    site_type = ma.fields.String(dump_only=True)
    workday_start = ma.fields.Time(
        format="%H:%M",
        allow_none=True,
        dump_only=True,
        metadata={"description": "the site's, as stored: the morning window ends then"},
    )
    evening_peak_start = ma.fields.Time(format="%H:%M", allow_none=True, dump_only=True)
    evening_peak_end = ma.fields.Time(format="%H:%M", allow_none=True, dump_only=True)


class RotaRequestSchema(Schema):
    site_id = ma.fields.Integer(required=True)
    month = MONTH


class OpenSlotSchema(Schema):
    day = ma.fields.Date()
    window = ma.fields.String(metadata={"description": "morning | evening"})


class RotaResultSchema(Schema):
    made = ma.fields.Integer()
    kept = ma.fields.Integer(
        metadata={"description": "shifts already under way or past, kept as history"}
    )
    open = ma.fields.List(
        ma.fields.Nested(OpenSlotSchema),
        metadata={
            "description": "windows nobody could take (more windows than managers not on "
            "leave that day): these days need a person"
        },
    )
    warnings = ma.fields.List(
        ma.fields.String(), metadata={"description": "what to do before the rota is complete"}
    )


class CheckFlagSchema(Schema):
    code = ma.fields.String()
    reason = ma.fields.String()
    reason_zh = ma.fields.String()
    check_id = ma.fields.UUID()
    kind = ma.fields.String(metadata={"description": "in | out"})


class ShiftSchema(Schema):
    id = ma.fields.Integer()
    site_id = ma.fields.Integer()
    day = ma.fields.Date()
    window = ma.fields.String()
    post_id = ma.fields.Integer(allow_none=True)
    manager_id = ma.fields.Integer()
    manager_name = ma.fields.String()
    starts_at = ZonedDateTime()
    ends_at = ZonedDateTime()
    check_in_at = ZonedDateTime(allow_none=True)
    check_out_at = ZonedDateTime(allow_none=True)
    status = ma.fields.String(
        metadata={
            "description": "scheduled | on_time | late | left_early | "
            "late_and_left_early | overstayed | missing_check_out | no_show"
        }
    )
    late_minutes = ma.fields.Integer()
    early_minutes = ma.fields.Integer()
    overstay_minutes = ma.fields.Integer()
    flags = ma.fields.List(
        ma.fields.Nested(CheckFlagSchema),
        metadata={
            "description": "doubts about the shift's checks for a person to judge, e.g. "
            "clock_skew: the phone's time was ahead of the server's, so the check counted at "
            "the server's time"
        },
    )


class ShiftQuerySchema(QuerySchema):
    site_id = ma.fields.Integer(required=True)
    month = MONTH
    manager_id = ma.fields.Integer()


class FillSlotSchema(Schema):
    site_id = ma.fields.Integer(required=True)
    day = ma.fields.Date(required=True, metadata={"description": "the site-local day"})
    window = ma.fields.String(required=True, validate=ma.validate.OneOf(("morning", "evening")))
    manager_id = ma.fields.Integer(
        required=True, metadata={"description": "an active manager of the site, free then"}
    )


class ShiftMoveSchema(Schema):
    manager_id = ma.fields.Integer(
        required=True, metadata={"description": "an active manager of the shift's site"}
    )


class RotaCountSchema(Schema):
    staff_id = ma.fields.Integer()
    name = ma.fields.String()
    total = ma.fields.Integer(metadata={"description": "the month's shifts at the site"})
    by_window = ma.fields.Dict(
        keys=ma.fields.String(),
        values=ma.fields.Integer(),
        metadata={"description": "per window code (morning, evening), every window of the site"},
    )


class RotaCountsSchema(Schema):
    counts = ma.fields.List(ma.fields.Nested(RotaCountSchema))


class RotaCountsQuerySchema(QuerySchema):
    site_id = ma.fields.Integer(required=True)
    month = MONTH


class TodayQuerySchema(QuerySchema):
    site_id = ma.fields.Integer(required=True)


class CheckSchema(Schema):
    id = ma.fields.UUID(
        required=True, metadata={"description": "made by the phone; resending is safe"}
    )
    payload = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=300))
    kind = ma.fields.String(required=True, validate=ma.validate.OneOf(("in", "out")))
    device_at = ZonedDateTime(required=True)
    photo_id = ma.fields.UUID(allow_none=True)


class LeaveSchema(Schema):
    id = ma.fields.Integer(dump_only=True)
    staff_id = ma.fields.Integer(required=True)
    first_day = ma.fields.Date(required=True)
    last_day = ma.fields.Date(required=True)
    note = text_field(200, allow_empty=True, load_default="")

    @ma.validates_schema
    def in_order(self, data, **kwargs):
        if data["last_day"] < data["first_day"]:
            raise ma.ValidationError("The leave ends before it starts.", "last_day")
        if (data["last_day"] - data["first_day"]).days > 366:
            raise ma.ValidationError("At most a year of leave at once.", "last_day")


class LeaveQuerySchema(QuerySchema):
    site_id = ma.fields.Integer(required=True)


class MonthlySchema(Schema):
    manager_id = ma.fields.Integer()
    name = ma.fields.String()
    shifts = ma.fields.Integer()
    on_time = ma.fields.Integer()
    late = ma.fields.Integer()
    no_show = ma.fields.Integer()
    other = ma.fields.Integer()
    compliance = ma.fields.Float(allow_none=True, metadata={"description": "percent on time"})


class MonthlyQuerySchema(QuerySchema):
    site_id = ma.fields.Integer(required=True)
    month = MONTH


class PostCodeSchema(Schema):
    token = ma.fields.String()
    url = ma.fields.String()
    key_version = ma.fields.Integer()


class CalendarLinkSchema(Schema):
    url = ma.fields.String(metadata={"description": "subscribe to it in the phone's calendar"})
