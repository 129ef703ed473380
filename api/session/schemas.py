import marshmallow as ma

from api.extensions import Schema
from api.fields import text_field


class LoginSchema(Schema):
    username = text_field(64, required=True)
    password = text_field(200, required=True)


class PasswordChangeSchema(Schema):
    current_password = text_field(200, required=True)
    new_password = ma.fields.String(required=True, validate=ma.validate.Length(min=10, max=200))


class SessionUserSchema(Schema):
    id = ma.fields.Integer()
    username = ma.fields.String()
    display_name = ma.fields.String()
    role = ma.fields.String()
    language = ma.fields.String()
    staff_id = ma.fields.Integer(allow_none=True)
    site_ids = ma.fields.Method("get_site_ids")

    def get_site_ids(self, user):
        return None if user.is_company_wide else user.site_ids()


class TokenSchema(Schema):
    token = ma.fields.String(metadata={"description": "send as 'Authorization: Bearer <token>'"})
    expires_at = ma.fields.AwareDateTime()
    user = ma.fields.Nested(SessionUserSchema)
