"""Alert webhooks: a site's overdue rounds, missed rounds, flagged scans and new anomalies are
POSTed as signed JSON to a URL of the company's choice (see README, 'Alerts')."""

import secrets

from flask import current_app
from flask.views import MethodView
from flask_smorest import Blueprint

from api.audit_trail import audit
from api.errors import abort
from api.extensions import PeeweePage, where_equal
from api.security import in_scope, reference, roles
from api.webhooks.schemas import (
    DeliveryQuerySchema,
    DeliverySchema,
    WebhookCreatedSchema,
    WebhookSchema,
    WebhookSetSchema,
)
from models import write_transaction
from models.org import Site
from models.patrols import Webhook, WebhookDelivery
from models.rules.addresses import PUBLIC, url_kind
from models.webhooks import in_state

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
        return list(in_scope(Webhook.select(), Webhook.site).order_by(Webhook.site))

    @roles("admin")
    @blp.arguments(WebhookSetSchema)
    @blp.response(201, WebhookCreatedSchema)
    def post(self, data):
        """Set a site's webhook URL; a new signing secret is made and shown this once."""
        site = reference(Site, data["site_id"], "site_id")
        refuse_private_address(data["url"])
        with write_transaction():
            Webhook.delete().where(Webhook.site == site).execute()
            hook = Webhook.create(site=site, url=data["url"], secret=secrets.token_hex(32))
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
        query = in_scope(WebhookDelivery.select(), WebhookDelivery.site).order_by(
            WebhookDelivery.id.desc()
        )
        query = where_equal(query, WebhookDelivery, filters, "site_id")
        if "status" in filters:
            query = query.where(in_state(filters["status"]))
        return query
