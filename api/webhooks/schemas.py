import marshmallow as ma

from api.extensions import QuerySchema, Schema
from api.fields import ZonedDateTime
from models.webhooks import DELIVERY_STATES, MAX_ATTEMPTS, delivery_status


class WebhookSetSchema(Schema):
    site_id = ma.fields.Integer(required=True)
    url = ma.fields.Url(
        required=True,
        schemes={"https", "http"},
        validate=ma.validate.Length(max=500),
        metadata={
            "description": "not this server nor a private network (127.x, localhost, 10.x, "
            "172.16-31.x, 192.168.x, 169.254.x, ::1, fc00::/7) unless the server allows it "
            "(XUNJIAN_ALLOW_PRIVATE_WEBHOOKS)"
        },
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


class DeliveryQuerySchema(QuerySchema):
    site_id = ma.fields.Integer()
    status = ma.fields.String(validate=ma.validate.OneOf(DELIVERY_STATES))


class DeliverySchema(Schema):
    id = ma.fields.Integer()
    site_id = ma.fields.Integer()
    event = ma.fields.String()
    created_at = ZonedDateTime()
    delivered_at = ZonedDateTime(allow_none=True)
    attempts = ma.fields.Integer()
    last_error = ma.fields.String(metadata={"description": "why the last try failed, or empty"})
    status = ma.fields.Function(
        delivery_status,
        metadata={
            "description": f"delivered | waiting (to be tried again) | failed (gave up after "
            f"{MAX_ATTEMPTS} tries)",
            "enum": list(DELIVERY_STATES),
        },
    )
