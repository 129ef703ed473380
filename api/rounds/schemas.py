import marshmallow as ma

from api.extensions import QuerySchema, Schema
from api.fields import ZonedDateTime, month_field
from api.scans.schemas import FlagSchema


class RoundStopSchema(Schema):
    checkpoint_id = ma.fields.Integer()
    name = ma.fields.String()
    offset_minutes = ma.fields.Integer()
    visited = ma.fields.Boolean()
    needs_photo = ma.fields.Boolean()


class RoundSchema(Schema):
    id = ma.fields.Integer()
    site_id = ma.fields.Integer()
    schedule_id = ma.fields.Integer()
    route_id = ma.fields.Integer()
    guard_id = ma.fields.Integer(allow_none=True)
    starts_at = ZonedDateTime()
    ends_at = ZonedDateTime()
    state = ma.fields.String(
        metadata={"description": "live: upcoming | due | overdue | in_progress | done | closed"}
    )
    status = ma.fields.String(
        metadata={"description": "judged: open | complete | incomplete | missed"}
    )
    visited = ma.fields.Integer()
    total = ma.fields.Integer()
    late = ma.fields.Boolean()
    late_minutes = ma.fields.Integer()
    out_of_order = ma.fields.Boolean()
    missed_checkpoint_ids = ma.fields.List(ma.fields.Integer())
    flags = ma.fields.List(ma.fields.Nested(FlagSchema))


class RoundDetailSchema(RoundSchema):
    stops = ma.fields.List(ma.fields.Nested(RoundStopSchema))
    scan_ids = ma.fields.List(ma.fields.String())


class RoundQuerySchema(QuerySchema):
    site_id = ma.fields.Integer()
    schedule_id = ma.fields.Integer()
    guard_id = ma.fields.Integer()
    status = ma.fields.String(
        validate=ma.validate.OneOf(("open", "complete", "incomplete", "missed"))
    )
    starts_from = ZonedDateTime()
    starts_to = ZonedDateTime()


class AssignSchema(Schema):
    staff_id = ma.fields.Integer(required=True, allow_none=True)


class LiveQuerySchema(QuerySchema):
    site_id = ma.fields.Integer(required=True)


class LiveViewSchema(Schema):
    site_id = ma.fields.Integer()
    now = ZonedDateTime()
    rounds = ma.fields.List(ma.fields.Nested(RoundSchema))
    overdue = ma.fields.List(ma.fields.Integer(), metadata={"description": "ids of overdue rounds"})
    missed_checkpoints = ma.fields.Integer(
        metadata={"description": "missed in today's judged rounds"}
    )
    open_anomalies = ma.fields.Integer()


class GuardMonthQuerySchema(QuerySchema):
    site_id = ma.fields.Integer(required=True)
    month = month_field(required=True)


class GuardMonthSchema(Schema):
    staff_id = ma.fields.Integer()
    name = ma.fields.String()
    rounds = ma.fields.Integer()
    completed = ma.fields.Integer()
    completion_rate = ma.fields.Float(allow_none=True, metadata={"description": "percent"})
    late = ma.fields.Integer()
    missed = ma.fields.Integer(metadata={"description": "rounds missed entirely"})
    incomplete = ma.fields.Integer()
    missed_checkpoints = ma.fields.Integer()
    flags_confirmed = ma.fields.Integer(
        metadata={"description": "flagged scans of the month a reviewer confirmed"}
    )
    flags_dismissed = ma.fields.Integer(
        metadata={"description": "flagged scans of the month a reviewer dismissed"}
    )
