"""Posting queued alerts to the sites' webhooks, signed so the receiver can trust them.

Each POST has the JSON body of the alert and the headers ``X-Xunjian-Event`` and
``X-Xunjian-Signature: sha256=<hex HMAC-SHA256 of the raw body with the webhook's secret>``.
A failed post is tried again on the next run, up to ``MAX_ATTEMPTS`` times.
"""

import hashlib
import hmac
import urllib.error
import urllib.request

from models import utcnow
from models.patrols import Webhook, WebhookDelivery

MAX_ATTEMPTS = 10
TIMEOUT_SECONDS = 5
# What became of an alert: posted, still to be tried, or given up after MAX_ATTEMPTS tries.
DELIVERY_STATES = ("delivered", "waiting", "failed")


def delivery_status(delivery: WebhookDelivery) -> str:
    if delivery.delivered_at is not None:
        return "delivered"
    return "failed" if delivery.attempts >= MAX_ATTEMPTS else "waiting"


def in_state(status: str):
    """The SQL condition of delivery_status(...) == status, to filter a list of deliveries."""
    undelivered = WebhookDelivery.delivered_at.is_null()
    if status == "delivered":
        return ~undelivered
    if status == "failed":
        return undelivered & (WebhookDelivery.attempts >= MAX_ATTEMPTS)
    if status == "waiting":
        return undelivered & (WebhookDelivery.attempts < MAX_ATTEMPTS)
    raise ValueError(f"unknown delivery status {status!r}")


def signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def deliver_pending(limit: int = 200) -> tuple[int, int]:
    """Post waiting alerts; returns (delivered, failed)."""
    delivered = failed = 0
    pending = (
        WebhookDelivery.select(WebhookDelivery, Webhook)
        .join(Webhook, on=(WebhookDelivery.site == Webhook.site), attr="webhook")
        .where(
            WebhookDelivery.delivered_at.is_null()
            & (WebhookDelivery.attempts < MAX_ATTEMPTS)
            & Webhook.active
        )
        .order_by(WebhookDelivery.id)
        .limit(limit)
    )
    for delivery in pending:
        hook = delivery.webhook
        body = delivery.body.encode()
        request = urllib.request.Request(
            hook.url,
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/json; charset=utf-8",
                "X-Xunjian-Event": delivery.event,
                "X-Xunjian-Signature": signature(hook.secret, body),
                "User-Agent": "xunjian-webhook/1",
            },
        )
        delivery.attempts += 1
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310 - admin's URL
                ok = 200 <= response.status < 300
                delivery.last_error = "" if ok else f"HTTP {response.status}"
        except (urllib.error.URLError, OSError) as exc:
            ok = False
            delivery.last_error = str(exc)[:300]
        if ok:
            delivery.delivered_at = utcnow()
            delivered += 1
        else:
            failed += 1
        delivery.save()
    return delivered, failed
