import marshmallow as ma

from api.extensions import QuerySchema, Schema
from api.fields import ZonedDateTime
from models.rules.promises import CLOCKS, KINDS, UNITS

SPAN_DESCRIPTION = (
    "minutes and hours run round the clock; working_hours and working_days only in the "
    "working hours of the site's working days"
)


class SpanSchema(Schema):
    amount = ma.fields.Float()
    unit = ma.fields.String(metadata={"description": " | ".join(UNITS)})
    text = ma.fields.String(metadata={"description": "in words, e.g. 3 个工作日"})
    own = ma.fields.Boolean(metadata={"description": "the site's own time, not the company's"})


class StepSchema(Schema):
    to = ma.fields.String(metadata={"description": "owner | supervisor | manager"})
    clock = ma.fields.String(metadata={"description": "respond | resolve"})
    after = ma.fields.String(metadata={"description": "this long after it broke, or empty"})


class PromiseSchema(Schema):
    kind = ma.fields.String(metadata={"description": " | ".join(KINDS)})
    name = ma.fields.String()
    name_en = ma.fields.String()
    source = ma.fields.String(metadata={"description": "the manual's section it comes from"})
    respond = ma.fields.Nested(SpanSchema, allow_none=True)
    resolve = ma.fields.Nested(
        SpanSchema,
        allow_none=True,
        metadata={"description": "null for a rectification: its checklist's rectify_hours"},
    )
    escalate = ma.fields.List(ma.fields.Nested(StepSchema))


class SitePromisesSchema(Schema):
    site_id = ma.fields.Integer()
    working_hours = ma.fields.String(metadata={"description": "e.g. 09:00-18:00"})
    promises = ma.fields.List(ma.fields.Nested(PromiseSchema))


class SiteQuerySchema(QuerySchema):
    site_id = ma.fields.Integer(required=True)


class OwnTimeSchema(Schema):
    site_id = ma.fields.Integer(required=True)
    kind = ma.fields.String(required=True, validate=ma.validate.OneOf(KINDS))
    clock = ma.fields.String(required=True, validate=ma.validate.OneOf(CLOCKS))
    amount = ma.fields.Float(
        required=True, validate=ma.validate.Range(min=0, min_inclusive=False, max=10000)
    )
    unit = ma.fields.String(
        required=True,
        validate=ma.validate.OneOf(UNITS),
        metadata={"description": SPAN_DESCRIPTION},
    )


class OwnTimeQuerySchema(QuerySchema):
    site_id = ma.fields.Integer(required=True)
    kind = ma.fields.String(required=True, validate=ma.validate.OneOf(KINDS))
    clock = ma.fields.String(required=True, validate=ma.validate.OneOf(CLOCKS))


class FollowUpSchema(Schema):
    type = ma.fields.String(metadata={"description": "anomaly | rectification"})
    id = ma.fields.String()
    site_id = ma.fields.Integer()
    kind = ma.fields.String(metadata={"description": " | ".join(KINDS)})
    what = ma.fields.String()
    status = ma.fields.String()
    owner = ma.fields.String(allow_none=True)
    area = ma.fields.String(allow_none=True)
    reported_at = ZonedDateTime()
    respond_due_at = ZonedDateTime(allow_none=True)
    resolve_due_at = ZonedDateTime(allow_none=True)
    state = ma.fields.String(metadata={"description": "late | unanswered | running | none"})
    escalated_to = ma.fields.List(
        ma.fields.String(), metadata={"description": "the escalation steps taken so far"}
    )


class FollowUpQuerySchema(QuerySchema):
    site_id = ma.fields.Integer(required=True)
    area_id = ma.fields.Integer()
