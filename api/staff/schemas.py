import marshmallow as ma

from api.extensions import QuerySchema, Schema
from api.fields import ZonedDateTime, text_field
from models.org import GENDERS, JOBS


class StaffSchema(Schema):
    id = ma.fields.Integer()
    employee_no = ma.fields.String()
    name = ma.fields.String()
    gender = ma.fields.String()
    job = ma.fields.String()
    site_id = ma.fields.Integer()
    team_id = ma.fields.Integer(allow_none=True)
    phone = ma.fields.String()
    area_ids = ma.fields.List(
        ma.fields.Integer(), metadata={"description": "areas this person is responsible for"}
    )
    active = ma.fields.Boolean()
    created_at = ZonedDateTime()
    updated_at = ZonedDateTime()


class _StaffFields(Schema):
    employee_no = ma.fields.String(
        validate=ma.validate.Regexp(r"^[A-Za-z0-9-]{1,32}$", error="1-32 letters, digits or '-'.")
    )
    name = text_field(50)
    gender = ma.fields.String(validate=ma.validate.OneOf(GENDERS))
    job = ma.fields.String(validate=ma.validate.OneOf(JOBS))
    site_id = ma.fields.Integer()
    team_id = ma.fields.Integer(allow_none=True)
    phone = ma.fields.String(
        validate=ma.validate.Regexp(r"^[0-9+ -]{0,32}$", error="Digits, '+', '-' or spaces.")
    )
    area_ids = ma.fields.List(ma.fields.Integer(), validate=ma.validate.Length(max=100))


class StaffCreateSchema(_StaffFields):
    employee_no = ma.fields.String(
        required=True,
        validate=ma.validate.Regexp(r"^[A-Za-z0-9-]{1,32}$", error="1-32 letters, digits or '-'."),
    )
    name = text_field(50, required=True)
    gender = ma.fields.String(required=True, validate=ma.validate.OneOf(GENDERS))
    job = ma.fields.String(required=True, validate=ma.validate.OneOf(JOBS))
    site_id = ma.fields.Integer(required=True)


class StaffUpdateSchema(_StaffFields):
    active = ma.fields.Boolean()


class StaffQuerySchema(QuerySchema):
    site_id = ma.fields.Integer()
    team_id = ma.fields.Integer()
    job = ma.fields.String(validate=ma.validate.OneOf(JOBS))
    active = ma.fields.Boolean()
    q = ma.fields.String(
        validate=ma.validate.Length(min=1, max=50),
        metadata={"description": "part of the name or employee number"},
    )
