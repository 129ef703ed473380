import marshmallow as ma

from api.extensions import QuerySchema, Schema
from api.fields import ZonedDateTime, text_field
from models.tables.accounts import ROLES

USERNAME = ma.validate.Regexp(
    r"^[a-z0-9._-]{3,64}$", error="3-64 lowercase letters, digits, '.', '_' or '-'."
)
PASSWORD = ma.validate.Length(min=10, max=200, error="Passwords have 10 to 200 characters.")


class UserSchema(Schema):
    """A user account. The password is write-only and never returned."""

    id = ma.fields.Integer()
    username = ma.fields.String()
    display_name = ma.fields.String()
    role = ma.fields.String()
    staff_id = ma.fields.Integer(allow_none=True)
    language = ma.fields.String()
    site_ids = ma.fields.List(ma.fields.Integer())
    active = ma.fields.Boolean()
    created_at = ZonedDateTime()


class UserCreateSchema(Schema):
    username = ma.fields.String(required=True, validate=USERNAME)
    password = ma.fields.String(required=True, load_only=True, validate=PASSWORD)
    role = ma.fields.String(required=True, validate=ma.validate.OneOf(ROLES))
    display_name = text_field(100, allow_empty=True, load_default="")
    site_ids = ma.fields.List(
        ma.fields.Integer(), load_default=list, validate=ma.validate.Length(max=500)
    )
    staff_id = ma.fields.Integer(allow_none=True)
    language = ma.fields.String(load_default="zh", validate=ma.validate.OneOf(("zh", "en")))


class UserUpdateSchema(Schema):
    password = ma.fields.String(load_only=True, validate=PASSWORD)
    role = ma.fields.String(validate=ma.validate.OneOf(ROLES))
    display_name = text_field(100, allow_empty=True)
    site_ids = ma.fields.List(ma.fields.Integer(), validate=ma.validate.Length(max=500))
    staff_id = ma.fields.Integer(allow_none=True)
    language = ma.fields.String(validate=ma.validate.OneOf(("zh", "en")))
    active = ma.fields.Boolean()


class UserQuerySchema(QuerySchema):
    role = ma.fields.String(validate=ma.validate.OneOf(ROLES))
    site_id = ma.fields.Integer()
    active = ma.fields.Boolean()
