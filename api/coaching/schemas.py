import marshmallow as ma

from api.extensions import QuerySchema, Schema
from api.fields import ZonedDateTime


class CoachingItemSchema(Schema):
    id = ma.fields.Integer()
    site_id = ma.fields.Integer()
    staff_id = ma.fields.Integer()
    inspection_id = ma.fields.UUID()
    checklist = ma.fields.String()
    item_code = ma.fields.String()
    requirement = ma.fields.String()
    requirement_en = ma.fields.String()
    fault = ma.fields.String()
    fault_en = ma.fields.String()
    impression = ma.fields.String(
        metadata={"description": "what the fault tells a client: the why"}
    )
    impression_en = ma.fields.String()
    created_at = ZonedDateTime()
    acknowledged_at = ZonedDateTime(allow_none=True)


class CoachingQuerySchema(QuerySchema):
    site_id = ma.fields.Integer()
    staff_id = ma.fields.Integer()
    acknowledged = ma.fields.Boolean()
