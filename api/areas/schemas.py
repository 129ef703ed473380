import marshmallow as ma

from api.extensions import QuerySchema, Schema
from api.fields import ZonedDateTime, text_field
from models.tables.org import AREA_TYPES


class AreaSchema(Schema):
    id = ma.fields.Integer()
    site_id = ma.fields.Integer()
    name = ma.fields.String()
    area_type = ma.fields.String()
    active = ma.fields.Boolean()
    created_at = ZonedDateTime()


class AreaCreateSchema(Schema):
    site_id = ma.fields.Integer(required=True)
    name = text_field(100, required=True)
    area_type = ma.fields.String(required=True, validate=ma.validate.OneOf(AREA_TYPES))


class AreaUpdateSchema(Schema):
    name = text_field(100)
    area_type = ma.fields.String(validate=ma.validate.OneOf(AREA_TYPES))
    active = ma.fields.Boolean()


class AreaQuerySchema(QuerySchema):
    site_id = ma.fields.Integer()
    area_type = ma.fields.String(validate=ma.validate.OneOf(AREA_TYPES))
    active = ma.fields.Boolean()
