import marshmallow as ma

from api.extensions import QuerySchema, Schema
from api.fields import ZonedDateTime, text_field
from models.tables.org import POST_KINDS


class PostSchema(Schema):
    id = ma.fields.Integer()
    site_id = ma.fields.Integer()
    area_id = ma.fields.Integer(allow_none=True)
    name = ma.fields.String()
    kind = ma.fields.String(
        metadata={"description": "gate | lobby | service_desk | patrol | other"}
    )
    is_key_post = ma.fields.Boolean(
        metadata={"description": "a post that must never be left 零脱岗"}
    )
    active = ma.fields.Boolean()
    created_at = ZonedDateTime()


class PostCreateSchema(Schema):
    site_id = ma.fields.Integer(required=True)
    area_id = ma.fields.Integer(allow_none=True)
    name = text_field(100, required=True)
    kind = ma.fields.String(required=True, validate=ma.validate.OneOf(POST_KINDS))
    is_key_post = ma.fields.Boolean(load_default=False)


class PostUpdateSchema(Schema):
    area_id = ma.fields.Integer(allow_none=True)
    name = text_field(100)
    kind = ma.fields.String(validate=ma.validate.OneOf(POST_KINDS))
    is_key_post = ma.fields.Boolean()
    active = ma.fields.Boolean()


class PostQuerySchema(QuerySchema):
    site_id = ma.fields.Integer()
    kind = ma.fields.String(validate=ma.validate.OneOf(POST_KINDS))
    active = ma.fields.Boolean()
