import marshmallow as ma

from api.extensions import Schema
from api.fields import ZonedDateTime, text_field


class PhotoUploadFormSchema(Schema):
    """The form fields sent beside the file (multipart/form-data)."""

    id = ma.fields.UUID(
        metadata={"description": "made by the phone, so an offline retry is stored once"}
    )
    site_id = ma.fields.Integer(required=True)
    area_id = ma.fields.Integer(metadata={"description": "the place stamped on the photo"})
    place = text_field(100, metadata={"description": "a place name to stamp when there is no area"})
    device_id = text_field(64, allow_empty=True)


class PhotoFileSchema(Schema):
    file = ma.fields.Raw(
        required=True,
        metadata={"type": "string", "format": "binary", "description": "JPEG, PNG or WebP"},
    )


class PhotoUploadSchema(PhotoUploadFormSchema, PhotoFileSchema):
    """The whole multipart body, for the API document: the view reads it in two parts (the form
    fields and the file), which flask-smorest would otherwise document apart (the fields as
    `in: formData` parameters, which OpenAPI 3 does not have)."""


class PhotoSchema(Schema):
    id = ma.fields.UUID()
    site_id = ma.fields.Integer()
    uploaded_by_id = ma.fields.Integer()
    uploaded_at = ZonedDateTime()
    captured_at = ZonedDateTime(
        allow_none=True, metadata={"description": "the camera's time (EXIF)"}
    )
    place = ma.fields.String()
    width = ma.fields.Integer()
    height = ma.fields.Integer()
    reused = ma.fields.Boolean(
        metadata={"description": "identical or near-identical to an earlier photo"}
    )
    reused_of_id = ma.fields.UUID(allow_none=True)
    reuse_distance = ma.fields.Integer(
        allow_none=True, metadata={"description": "0 = the same file"}
    )
    owner_type = ma.fields.String(allow_none=True)
    owner_id = ma.fields.String(allow_none=True)
    image_url = ma.fields.String()
    thumbnail_url = ma.fields.String()
