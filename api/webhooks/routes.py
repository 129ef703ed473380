"""Alert webhooks: a site's overdue rounds, missed rounds, flagged scans and new anomalies are
POSTed as signed JSON to a URL of the company's choice (see README, 'Alerts')."""

import secrets

from flask.views import MethodView
from flask_smorest import Blueprint

from api.audit_trail import audit
from api.security import in_scope, reference, roles
from api.webhooks.schemas import WebhookCreatedSchema, WebhookSchema, WebhookSetSchema
from models import write_transaction
from models.org import Site
from models.patrols import Webhook

blp = Blueprint("webhooks", __name__, url_prefix="/api/webhooks", description="Alert webhooks")


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
