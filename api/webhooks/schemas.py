import marshmallow as ma

from api.extensions import Schema
from api.fields import ZonedDateTime


class WebhookSetSchema(Schema):
    site_id = ma.fields.Integer(required=True)
    url = ma.fields.Url(
        required=True, schemes={"https", "http"}, validate=ma.validate.Length(max=500)
    )


class WebhookSchema(Schema):
    site_id = ma.fields.Integer()
    url = ma.fields.String()
    active = ma.fields.Boolean()
    created_at = ZonedDateTime()


class WebhookCreatedSchema(WebhookSchema):
    secret = ma.fields.String(
        metadata={"description": "shown once: verify X-Xunjian-Signature with it"}
    )
