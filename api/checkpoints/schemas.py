import marshmallow as ma

from api.extensions import QuerySchema, Schema
from api.fields import ZonedDateTime, text_field


class CheckpointSchema(Schema):
    id = ma.fields.Integer()
    site_id = ma.fields.Integer()
    area_id = ma.fields.Integer()
    name = ma.fields.String()
    code = ma.fields.String(metadata={"description": "short code printed on the label"})
    latitude = ma.fields.Float(allow_none=True)
    longitude = ma.fields.Float(allow_none=True)
    radius_m = ma.fields.Integer()
    checklist = ma.fields.String(
        allow_none=True, metadata={"description": "on-the-spot check items"}
    )
    active = ma.fields.Boolean()
    created_at = ZonedDateTime()


class _CheckpointFields(Schema):
    area_id = ma.fields.Integer()
    name = text_field(100)
    latitude = ma.fields.Float(allow_none=True, validate=ma.validate.Range(-90, 90))
    longitude = ma.fields.Float(allow_none=True, validate=ma.validate.Range(-180, 180))
    radius_m = ma.fields.Integer(validate=ma.validate.Range(5, 5000))
    checklist = ma.fields.String(allow_none=True, validate=ma.validate.Length(min=1, max=48))

    @ma.validates_schema
    def both_coordinates(self, data, **kwargs):
        if ("latitude" in data) != ("longitude" in data) or (
            (data.get("latitude") is None) != (data.get("longitude") is None)
        ):
            raise ma.ValidationError("Give latitude and longitude together.", "latitude")


class CheckpointCreateSchema(_CheckpointFields):
    area_id = ma.fields.Integer(required=True)
    name = text_field(100, required=True)


class CheckpointUpdateSchema(_CheckpointFields):
    active = ma.fields.Boolean()


class CheckpointQuerySchema(QuerySchema):
    site_id = ma.fields.Integer()
    area_id = ma.fields.Integer()
    active = ma.fields.Boolean()


class SheetQuerySchema(QuerySchema):
    site_id = ma.fields.Integer(required=True)
    area_id = ma.fields.Integer()


class CodeSchema(Schema):
    token = ma.fields.String()
    url = ma.fields.String(metadata={"description": "what the QR code and the NFC tag carry"})
    key_version = ma.fields.Integer()
    ndef_hex = ma.fields.String(
        metadata={"description": "NDEF message to write to an NTAG sticker"}
    )
