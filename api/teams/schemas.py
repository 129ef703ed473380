import marshmallow as ma

from api.extensions import QuerySchema, Schema
from api.fields import ZonedDateTime, text_field


class TeamSchema(Schema):
    id = ma.fields.Integer()
    site_id = ma.fields.Integer()
    name = ma.fields.String()
    active = ma.fields.Boolean()
    created_at = ZonedDateTime()


class TeamCreateSchema(Schema):
    site_id = ma.fields.Integer(required=True)
    name = text_field(100, required=True)


class TeamUpdateSchema(Schema):
    name = text_field(100)
    active = ma.fields.Boolean()


class TeamQuerySchema(QuerySchema):
    site_id = ma.fields.Integer()
    active = ma.fields.Boolean()
