import marshmallow as ma

from api.extensions import QuerySchema, Schema
from api.fields import ZonedDateTime, text_field

HHMM = "%H:%M"
WEEKDAYS = ma.fields.List(
    ma.fields.Integer(validate=ma.validate.Range(0, 6)),
    validate=ma.validate.Length(min=1, max=7),
    metadata={"description": "0 = Monday ... 6 = Sunday"},
)


class ScheduleSchema(Schema):
    id = ma.fields.Integer()
    site_id = ma.fields.Integer()
    route_id = ma.fields.Integer()
    post_id = ma.fields.Integer(allow_none=True)
    name = ma.fields.String()
    start_time = ma.fields.Time(format=HHMM)
    end_time = ma.fields.Time(format=HHMM)
    every_minutes = ma.fields.Integer()
    weekdays = ma.fields.List(ma.fields.Integer())
    start_grace_minutes = ma.fields.Integer()
    duration_minutes = ma.fields.Integer()
    ordered = ma.fields.Boolean()
    working_days_only = ma.fields.Boolean()
    photo_checkpoint_ids = ma.fields.List(ma.fields.Integer())
    active = ma.fields.Boolean()
    created_at = ZonedDateTime()


class _ScheduleFields(Schema):
    name = text_field(100)
    start_time = ma.fields.Time(
        format=HHMM, metadata={"description": "site-local wall clock, e.g. 20:00"}
    )
    end_time = ma.fields.Time(
        format=HHMM, metadata={"description": "may be past midnight, e.g. 06:00"}
    )
    every_minutes = ma.fields.Integer(validate=ma.validate.Range(5, 1440))
    weekdays = WEEKDAYS
    start_grace_minutes = ma.fields.Integer(validate=ma.validate.Range(0, 240))
    duration_minutes = ma.fields.Integer(validate=ma.validate.Range(1, 24 * 60))
    ordered = ma.fields.Boolean()
    working_days_only = ma.fields.Boolean(
        metadata={
            "description": "rounds only on working days: none on statutory holidays or the "
            "site's closures, rounds on 调休 make-up days (GET /api/calendar)"
        }
    )
    photo_checkpoint_ids = ma.fields.List(ma.fields.Integer(), validate=ma.validate.Length(max=200))
    post_id = ma.fields.Integer(
        allow_none=True, metadata={"description": "a key post's presence check"}
    )


class ScheduleCreateSchema(_ScheduleFields):
    route_id = ma.fields.Integer(required=True)
    name = text_field(100, required=True)
    start_time = ma.fields.Time(format=HHMM, required=True)
    end_time = ma.fields.Time(format=HHMM, required=True)
    every_minutes = ma.fields.Integer(required=True, validate=ma.validate.Range(5, 1440))
    weekdays = ma.fields.List(
        ma.fields.Integer(validate=ma.validate.Range(0, 6)),
        validate=ma.validate.Length(min=1, max=7),
        load_default=lambda: list(range(7)),
    )
    start_grace_minutes = ma.fields.Integer(load_default=10, validate=ma.validate.Range(0, 240))
    duration_minutes = ma.fields.Integer(load_default=60, validate=ma.validate.Range(1, 24 * 60))


class PreviewRoundSchema(Schema):
    starts_at = ZonedDateTime()
    ends_at = ZonedDateTime()
    route_id = ma.fields.Integer()


class SchedulePreviewSchema(Schema):
    rounds = ma.fields.List(
        ma.fields.Nested(PreviewRoundSchema),
        metadata={"description": "the rounds it would make in the next 24 hours, by start"},
    )


class ScheduleUpdateSchema(_ScheduleFields):
    active = ma.fields.Boolean()


class ScheduleQuerySchema(QuerySchema):
    site_id = ma.fields.Integer()
    route_id = ma.fields.Integer()
    active = ma.fields.Boolean()
