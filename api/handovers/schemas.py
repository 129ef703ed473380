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
    created_at = ZonedDateTime()
    note = ma.fields.String()
    open_anomalies = ma.fields.List(ma.fields.Dict())
    missed_checkpoints = ma.fields.List(ma.fields.Dict())
    overdue_rounds = ma.fields.List(ma.fields.Dict())
    incoming_id = ma.fields.Integer(allow_none=True)
    acknowledged_at = ZonedDateTime(allow_none=True)


class HandoverQuerySchema(QuerySchema):
    site_id = ma.fields.Integer()
    post_id = ma.fields.Integer()
    acknowledged = ma.fields.Boolean()
