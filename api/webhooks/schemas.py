import marshmallow as ma

from api.extensions import QuerySchema, Schema
from api.fields import ZonedDateTime
from models.records.webhooks import DELIVERY_STATES, MAX_ATTEMPTS, channel_events, delivery_status
from models.rules import robots


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
    channel_id = ma.fields.Integer()
    status = ma.fields.String(validate=ma.validate.OneOf(DELIVERY_STATES))


class DeliverySchema(Schema):
    id = ma.fields.Integer()
    site_id = ma.fields.Integer()
    event = ma.fields.String()
    created_at = ZonedDateTime()
    delivered_at = ZonedDateTime(allow_none=True)
    attempts = ma.fields.Integer()
    last_error = ma.fields.String(metadata={"description": "why the last try failed, or empty"})
    channel_id = ma.fields.Integer(
        allow_none=True, metadata={"description": "the channel it goes to; null until handed out"}
    )
    channel_kind = ma.fields.Function(
        lambda d: d.channel.kind if d.channel_id and d.channel else None,
        metadata={"enum": list(robots.KINDS), "description": "the channel's kind, or null"},
    )
    channel_name = ma.fields.Function(
        lambda d: d.channel.name if d.channel_id and d.channel else None,
        metadata={"description": "the channel's name, or null"},
    )
    status = ma.fields.Function(
        delivery_status,
        metadata={
            "description": f"delivered | waiting (to be tried again) | failed (gave up after "
            f"{MAX_ATTEMPTS} tries)",
            "enum": list(DELIVERY_STATES),
        },
    )


# --- channels: the generic webhook and the WeCom, DingTalk and Feishu group robots ----------

CHANNEL_URL_DESCRIPTION = (
    "generic: the receiver's address; wecom: https://qyapi.weixin.qq.com/cgi-bin/webhook/send"
    "?key=…; dingtalk: https://oapi.dingtalk.com/robot/send?access_token=…; feishu: "
    "https://open.feishu.cn/open-apis/bot/v2/hook/…. Not this server nor a private network "
    "unless the server allows it (XUNJIAN_ALLOW_PRIVATE_WEBHOOKS)."
)
EVENTS_DESCRIPTION = "the events this channel gets; empty: every event. One of: " + ", ".join(
    robots.EVENTS
)


class ChannelQuerySchema(QuerySchema):
    site_id = ma.fields.Integer()


class ChannelCreateSchema(Schema):
    site_id = ma.fields.Integer(required=True)
    kind = ma.fields.String(required=True, validate=ma.validate.OneOf(robots.KINDS))
    name = ma.fields.String(load_default="", validate=ma.validate.Length(max=60))
    url = ma.fields.Url(
        required=True,
        schemes={"https", "http"},
        validate=ma.validate.Length(max=500),
        metadata={"description": CHANNEL_URL_DESCRIPTION},
    )
    secret = ma.fields.String(
        load_default="",
        validate=ma.validate.Length(max=200),
        metadata={
            "description": "dingtalk: the robot's 加签 secret (SEC…); feishu: its 签名校验 "
            "secret; empty when the robot does not sign. Not for wecom (the key is in the "
            "URL) nor generic (the server makes one). Never shown again."
        },
    )
    events = ma.fields.List(
        ma.fields.String(validate=ma.validate.OneOf(list(robots.EVENTS))),
        load_default=list,
        metadata={"description": EVENTS_DESCRIPTION},
    )


class ChannelUpdateSchema(Schema):
    name = ma.fields.String(validate=ma.validate.Length(max=60))
    url = ma.fields.Url(
        schemes={"https", "http"},
        validate=ma.validate.Length(max=500),
        metadata={"description": CHANNEL_URL_DESCRIPTION},
    )
    secret = ma.fields.String(
        validate=ma.validate.Length(max=200),
        metadata={"description": "a robot's new signing secret (dingtalk, feishu)"},
    )
    events = ma.fields.List(
        ma.fields.String(validate=ma.validate.OneOf(list(robots.EVENTS))),
        metadata={"description": EVENTS_DESCRIPTION},
    )
    active = ma.fields.Boolean()


class ChannelSchema(Schema):
    id = ma.fields.Integer()
    site_id = ma.fields.Integer()
    kind = ma.fields.String(metadata={"enum": list(robots.KINDS)})
    name = ma.fields.String()
    url = ma.fields.Function(
        lambda c: robots.masked_url(c.kind, c.url),
        metadata={"description": "a robot's key or token is hidden but its last 4 characters"},
    )
    signed = ma.fields.Function(
        lambda c: bool(c.secret),
        metadata={"description": "whether posts are signed (the secret itself is never shown)"},
    )
    events = ma.fields.Function(
        lambda c: channel_events(c), metadata={"description": EVENTS_DESCRIPTION}
    )
    active = ma.fields.Boolean()
    created_at = ZonedDateTime()


class ChannelCreatedSchema(ChannelSchema):
    secret = ma.fields.String(
        attribute="shown_secret",
        allow_none=True,
        metadata={
            "description": "generic: the signing secret the server made, shown this once; "
            "robots: null (the secret given is never shown)"
        },
    )


class ChannelTestSchema(Schema):
    ok = ma.fields.Boolean(metadata={"description": "whether the platform took the message"})
    status = ma.fields.Integer(metadata={"description": "HTTP status of the answer; 0: none"})
    answer = ma.fields.String(
        metadata={"description": "the platform's answer in short (code and message) or the error"}
    )
