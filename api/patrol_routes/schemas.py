import marshmallow as ma

from api.extensions import QuerySchema, Schema
from api.fields import ZonedDateTime, text_field


class StopSchema(Schema):
    checkpoint_id = ma.fields.Integer(required=True)
    offset_minutes = ma.fields.Integer(
        required=True,
        validate=ma.validate.Range(0, 24 * 60),
        metadata={"description": "expected minutes after the round starts"},
    )


class PatrolRouteSchema(Schema):
    id = ma.fields.Integer()
    site_id = ma.fields.Integer()
    name = ma.fields.String()
    active = ma.fields.Boolean()
    stops = ma.fields.List(ma.fields.Nested(StopSchema))
    created_at = ZonedDateTime()


def _check_stops(stops):
    ids = [s["checkpoint_id"] for s in stops]
    if len(ids) != len(set(ids)):
        raise ma.ValidationError("A checkpoint appears twice in the route.")
    offsets = [s["offset_minutes"] for s in stops]
    if offsets != sorted(offsets):
        raise ma.ValidationError("Expected minutes must not go down along the route.")


class PatrolRouteCreateSchema(Schema):
    site_id = ma.fields.Integer(required=True)
    name = text_field(100, required=True)
    stops = ma.fields.List(
        ma.fields.Nested(StopSchema),
        required=True,
        validate=[ma.validate.Length(min=1, max=200), _check_stops],
    )


class PatrolRouteUpdateSchema(Schema):
    name = text_field(100)
    active = ma.fields.Boolean()
    stops = ma.fields.List(
        ma.fields.Nested(StopSchema), validate=[ma.validate.Length(min=1, max=200), _check_stops]
    )


class PatrolRouteQuerySchema(QuerySchema):
    site_id = ma.fields.Integer()
    active = ma.fields.Boolean()
