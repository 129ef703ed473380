import marshmallow as ma

from api.extensions import QuerySchema, Schema
from api.fields import ZonedDateTime, text_field
from models.tables.inspections import SERVICE_KINDS


class ContractorAreaSchema(Schema):
    area_id = ma.fields.Integer(required=True)
    kind = ma.fields.String(required=True, validate=ma.validate.OneOf(SERVICE_KINDS))


class ContractorSchema(Schema):
    id = ma.fields.Integer()
    name = ma.fields.String()
    service_kinds = ma.fields.List(ma.fields.String())
    contact_name = ma.fields.String()
    phone = ma.fields.String()
    active = ma.fields.Boolean()
    areas = ma.fields.List(ma.fields.Nested(ContractorAreaSchema))
    created_at = ZonedDateTime()


class _ContractorFields(Schema):
    name = text_field(100)
    service_kinds = ma.fields.List(
        ma.fields.String(validate=ma.validate.OneOf(SERVICE_KINDS)),
        validate=ma.validate.Length(min=1, max=3),
    )
    contact_name = text_field(50, allow_empty=True)
    phone = ma.fields.String(
        validate=ma.validate.Regexp(r"^[0-9+ -]{0,32}$", error="Digits, '+', '-' or spaces.")
    )
    areas = ma.fields.List(
        ma.fields.Nested(ContractorAreaSchema), validate=ma.validate.Length(max=500)
    )


class ContractorCreateSchema(_ContractorFields):
    name = text_field(100, required=True)
    service_kinds = ma.fields.List(
        ma.fields.String(validate=ma.validate.OneOf(SERVICE_KINDS)),
        required=True,
        validate=ma.validate.Length(min=1, max=3),
    )


class ContractorUpdateSchema(_ContractorFields):
    active = ma.fields.Boolean()


class ContractorQuerySchema(QuerySchema):
    active = ma.fields.Boolean()
    kind = ma.fields.String(validate=ma.validate.OneOf(SERVICE_KINDS))


class RatingQuerySchema(QuerySchema):
    year = ma.fields.Integer(required=True, validate=ma.validate.Range(2000, 2100))


class QuarterRatingSchema(Schema):
    year = ma.fields.Integer()
    quarter = ma.fields.Integer()
    inspections = ma.fields.Integer()
    average_score = ma.fields.Float(allow_none=True)
    grade = ma.fields.Dict(allow_none=True)
