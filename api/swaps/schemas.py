import marshmallow as ma

from api.extensions import QuerySchema, Schema
from api.fields import ZonedDateTime


class SwapRequestSchema(Schema):
    shift_id = ma.fields.Integer(required=True, metadata={"description": "my shift"})
    other_shift_id = ma.fields.Integer(
        required=True, metadata={"description": "the colleague's shift"}
    )


class SwapSchema(Schema):
    id = ma.fields.Integer()
    site_id = ma.fields.Integer()
    shift_id = ma.fields.Integer()
    other_shift_id = ma.fields.Integer()
    requested_by_id = ma.fields.Integer()
    status = ma.fields.String(
        metadata={"description": "pending | accepted | done | declined | cancelled"}
    )
    created_at = ZonedDateTime()
    responded_at = ZonedDateTime(allow_none=True)
    approved_by_id = ma.fields.Integer(allow_none=True)


class SwapQuerySchema(QuerySchema):
    site_id = ma.fields.Integer()
    status = ma.fields.String()
