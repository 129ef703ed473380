import marshmallow as ma

from api.extensions import QuerySchema, Schema
from api.fields import ZonedDateTime, text_field


class HandoverCreateSchema(Schema):
    post_id = ma.fields.Integer(required=True)
    note = text_field(1000, allow_empty=True, load_default="")


class HandoverSchema(Schema):
    id = ma.fields.Integer()
    site_id = ma.fields.Integer()
    post_id = ma.fields.Integer()
    outgoing_id = ma.fields.Integer()
    outgoing_name = ma.fields.String()
    created_at = ZonedDateTime()
    note = ma.fields.String()
    open_anomalies = ma.fields.List(ma.fields.Dict())
    missed_checkpoints = ma.fields.List(ma.fields.Dict())
    overdue_rounds = ma.fields.List(ma.fields.Dict())
    open_followups = ma.fields.List(
        ma.fields.Dict(),
        metadata={
            "description": "every open anomaly and rectification with its promise's clock: "
            "type, id, kind, what, status, owner, area, reported_at, respond_due_at, "
            "resolve_due_at, state (late | unanswered | running | none), escalated_to "
            "(owner | supervisor | manager steps taken); the most urgent first"
        },
    )
    incoming_id = ma.fields.Integer(allow_none=True)
    incoming_name = ma.fields.String(allow_none=True)
    acknowledged_at = ZonedDateTime(allow_none=True)


class HandoverQuerySchema(QuerySchema):
    site_id = ma.fields.Integer()
    post_id = ma.fields.Integer()
    acknowledged = ma.fields.Boolean()
