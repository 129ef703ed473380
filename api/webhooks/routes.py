"""Alert webhooks and channels: a site's overdue rounds, missed rounds, flagged scans and new
anomalies are POSTed as signed JSON to a URL of the company's choice, and to the WeCom, DingTalk
and Feishu group robots of its channels, each for the events it lists (see README, 'Alerts')."""

import secrets

from flask import current_app
from flask.views import MethodView
from flask_smorest import Blueprint
from peewee import JOIN

from api.audit_trail import audit
from api.errors import abort
from api.extensions import PeeweePage, where_equal
from api.security import get_or_404, in_scope, reference, roles
from api.webhooks.schemas import (
    ChannelCreatedSchema,
    ChannelCreateSchema,
    ChannelQuerySchema,
    ChannelSchema,
    ChannelTestSchema,
    ChannelUpdateSchema,
    DeliveryQuerySchema,
    DeliverySchema,
    WebhookCreatedSchema,
    WebhookSchema,
    WebhookSetSchema,
)
from models import write_transaction
from models.records.webhooks import in_state, send_test
from models.rules import robots
from models.rules.addresses import PUBLIC, url_kind
from models.tables.org import Site
from models.tables.patrols import Webhook, WebhookDelivery

blp = Blueprint("webhooks", __name__, url_prefix="/api/webhooks", description="Alert webhooks")


def refuse_private_address(url: str) -> None:
    """A 422 for a URL aimed at this server or a private network, unless the server allows
    those (ALLOW_PRIVATE_WEBHOOKS). Judged from the URL's text: a host name is not resolved
    when the webhook is saved."""
    if current_app.config.get("ALLOW_PRIVATE_WEBHOOKS") or url_kind(url) == PUBLIC:
        return
    abort(
        422,
        "private_address",
        "告警地址不能是本机或内网地址（127.x、localhost、10.x、172.16–31.x、192.168.x、169.254.x、"
        "::1、fc00::/7），请填写接收方的公网地址。Alerts cannot be posted to this server or a "
        "private network address; give the receiver's public address (an operator may allow "
        "private ones with XUNJIAN_ALLOW_PRIVATE_WEBHOOKS=1).",
        errors={"json": {"url": ["不能是本机或内网地址。Not a loopback or private address."]}},
    )


@blp.route("")
class Webhooks(MethodView):
    @roles("admin")
    @blp.response(200, WebhookSchema(many=True))
    def get(self):
        """List the sites' webhooks (secrets are never shown again)."""
        query = Webhook.select().where(Webhook.kind == robots.GENERIC)
        return list(in_scope(query, Webhook.site).order_by(Webhook.site, Webhook.id))

    @roles("admin")
    @blp.arguments(WebhookSetSchema)
    @blp.response(201, WebhookCreatedSchema)
    def post(self, data):
        """Set a site's webhook URL; a new signing secret is made and shown this once.

        The site's first generic channel is changed (made when there is none); its robots and
        other channels stay as they are."""
        site = reference(Site, data["site_id"], "site_id")
        refuse_private_address(data["url"])
        with write_transaction():
            hook = (
                Webhook.select()
                .where((Webhook.site == site) & (Webhook.kind == robots.GENERIC))
                .order_by(Webhook.id)
                .first()
            )
            if hook is None:
                hook = Webhook(site=site, kind=robots.GENERIC)
            hook.url, hook.secret, hook.active = data["url"], secrets.token_hex(32), True
            hook.save()
            audit("set-webhook", site, reason=data["url"])
        return {
            "site_id": site.id,
            "url": hook.url,
            "active": True,
            "created_at": hook.created_at,
            "secret": hook.secret,
        }


@blp.route("/deliveries")
class Deliveries(MethodView):
    @roles("admin")
    @blp.arguments(DeliveryQuerySchema, location="query")
    @blp.response(200, DeliverySchema(many=True))
    @blp.paginate(PeeweePage)
    def get(self, filters):
        """Recent alerts and whether they reached the webhook, newest first."""
        query = (
            WebhookDelivery.select(WebhookDelivery, Webhook)
            .join(Webhook, JOIN.LEFT_OUTER, on=(WebhookDelivery.channel == Webhook.id))
            .switch(WebhookDelivery)
        )
        query = in_scope(query, WebhookDelivery.site).order_by(WebhookDelivery.id.desc())
        query = where_equal(query, WebhookDelivery, filters, "site_id", "channel_id")
        if "status" in filters:
            query = query.where(in_state(filters["status"]))
        return query


# --- channels -----------------------------------------------------------------------------


def refuse_channel(kind: str, url: str, secret_given: bool) -> None:
    """A 422 for an address that is not the robot's kind of webhook address, or a secret the
    kind does not take."""
    problem = robots.url_problem(kind, url)
    if problem:
        abort(422, "not_a_robot_address", problem, errors={"json": {"url": [problem]}})
    if secret_given and kind in (robots.WECOM, robots.GENERIC):
        message = (
            "企业微信机器人不签名（key 在地址里）；通用告警地址的签名密钥由服务器生成。"
            "A WeCom robot does not sign (its key is in the URL); a generic webhook's secret is "
            "made by the server."
        )
        abort(422, "secret_not_taken", message, errors={"json": {"secret": [message]}})


def channel_note(channel: Webhook, extra: str = "") -> str:
    """What the audit log says of a channel: never its secret, a robot's key hidden."""
    text = f"{channel.kind} #{channel.id} {robots.masked_url(channel.kind, channel.url)}"
    return f"{text} {extra}".strip()[:500]


@blp.route("/channels")
class Channels(MethodView):
    @roles("admin")
    @blp.arguments(ChannelQuerySchema, location="query")
    @blp.response(200, ChannelSchema(many=True))
    def get(self, filters):
        """List the sites' alert channels (secrets and robots' keys are never shown)."""
        query = in_scope(Webhook.select(), Webhook.site)
        query = where_equal(query, Webhook, filters, "site_id")
        return list(query.order_by(Webhook.site, Webhook.id))

    @roles("admin")
    @blp.arguments(ChannelCreateSchema)
    @blp.response(201, ChannelCreatedSchema)
    def post(self, data):
        """Add an alert channel to a site: a generic webhook or a WeCom, DingTalk or Feishu
        group robot, for the events listed (none: every event)."""
        site = reference(Site, data["site_id"], "site_id")
        refuse_private_address(data["url"])
        refuse_channel(data["kind"], data["url"], bool(data["secret"].strip()))
        made = secrets.token_hex(32) if data["kind"] == robots.GENERIC else None
        with write_transaction():
            channel = Webhook.create(
                site=site,
                kind=data["kind"],
                name=data["name"].strip(),
                url=data["url"],
                secret=made or data["secret"].strip(),
                events=sorted(set(data["events"])),
            )
            audit("add-channel", site, reason=channel_note(channel))
        channel.shown_secret = made
        return channel


@blp.route("/channels/<int:channel_id>")
class ChannelById(MethodView):
    @roles("admin")
    @blp.arguments(ChannelUpdateSchema)
    @blp.response(200, ChannelSchema)
    def patch(self, data, channel_id):
        """Change a channel's name, address, robot secret, events, or switch it on or off."""
        with write_transaction():
            channel = get_or_404(Webhook, channel_id)
            if "url" in data:
                refuse_private_address(data["url"])
            refuse_channel(channel.kind, data.get("url", channel.url), "secret" in data)
            changed = []
            if "name" in data:
                channel.name = data["name"].strip()
                changed.append("name")
            if "url" in data:
                channel.url = data["url"]
                changed.append("url")
            if "secret" in data:
                channel.secret = data["secret"].strip()
                changed.append("secret")
            if "events" in data:
                channel.events = sorted(set(data["events"]))
                changed.append("events")
            if "active" in data:
                channel.active = data["active"]
                changed.append("active" if data["active"] else "inactive")
            channel.save()
            audit("update-channel", channel.site, reason=channel_note(channel, ",".join(changed)))
        return channel

    @roles("admin")
    @blp.response(200, ChannelSchema)
    def delete(self, channel_id):
        """Switch a channel off: nothing more is posted to it; its deliveries stay listed."""
        with write_transaction():
            channel = get_or_404(Webhook, channel_id)
            channel.active = False
            channel.save()
            audit("deactivate-channel", channel.site, reason=channel_note(channel))
        return channel


@blp.route("/channels/<int:channel_id>/test")
class ChannelTest(MethodView):
    @roles("admin")
    @blp.response(200, ChannelTestSchema)
    def post(self, channel_id):
        """Send a test message to a channel now and say what the platform answered."""
        channel = get_or_404(Webhook, channel_id)
        refuse_private_address(channel.url)
        outcome = send_test(channel)
        with write_transaction():
            audit("test-channel", channel.site, reason=channel_note(channel, outcome.answer))
        return {"ok": outcome.ok, "status": outcome.status, "answer": outcome.answer}
