"""Queueing alerts (one row per event and object) and posting them to the sites' channels:
the generic signed webhook and the WeCom, DingTalk and Feishu group robots (their messages and
signatures: models/rules/robots.py).

A generic webhook's POST has the JSON body of the alert and the headers ``X-Xunjian-Event`` and
``X-Xunjian-Signature: sha256=<hex HMAC-SHA256 of the raw body with the webhook's secret>``.
A robot's message is taken only when the platform answers code 0. A failed post is tried
again on the next run, up to ``MAX_ATTEMPTS`` times.
"""

import hashlib
import hmac
import json
import urllib.error
import urllib.request
from dataclasses import dataclass

from flask import current_app, has_app_context

from models import db, is_sqlite, utcnow
from models.records import hot_sql
from models.rules import robots
from models.tables.org import Site
from models.tables.patrols import Webhook, WebhookDelivery

MAX_ATTEMPTS = 10
TIMEOUT_SECONDS = 5
# What became of an alert: posted, still to be tried, or given up after MAX_ATTEMPTS tries.
DELIVERY_STATES = ("delivered", "waiting", "failed")


def enqueue_alert(site_id: int, event: str, dedupe_key: str, payload: dict) -> None:
    """Queue a webhook post for the site, once per event and object, if the site has one."""
    if hot_sql.site_has_webhook(site_id):
        queue_delivery(site_id, event, dedupe_key, payload)


def queue_delivery(site_id: int, event: str, dedupe_key: str, payload: dict) -> None:
    """Queue a webhook post for a site known to have a webhook, once per event and object."""
    body = json.dumps(
        {"event": event, "site_id": site_id, "at": utcnow().isoformat() + "Z", **payload},
        ensure_ascii=False,
    )
    WebhookDelivery.insert(
        site=site_id, event=event, dedupe_key=dedupe_key, body=body
    ).on_conflict_ignore().execute()


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


def claimed_one_by_one(pending, limit: int):
    """The deliveries of ``pending`` for this deliverer alone.

    On PostgreSQL several app servers may deliver at once (each one's tick, see
    models/tick_lock.py): each delivery is claimed in a transaction of its own with
    ``SELECT … FOR UPDATE OF webhookdelivery SKIP LOCKED``, and that transaction lasts until
    the caller has posted and saved it (the loop asks for the next one). Another deliverer
    skips a claimed delivery, and one that was posted meanwhile no longer matches, so no alert
    is posted twice.

    On SQLite (one machine) a transaction open while posting would hold the database's only
    write lock: one deliverer at a time holds a lock file beside the database
    (``<database>-deliver``), and another one finding it taken leaves the work to it."""
    if is_sqlite():
        from models.tick_lock import file_turn

        with file_turn(db.obj.database, "-deliver") as mine:
            if mine:
                yield from pending
        return
    last_id = 0
    for _ in range(limit):
        with db.atomic():
            delivery = (
                pending.where(WebhookDelivery.id > last_id)
                .limit(1)
                .for_update(of=WebhookDelivery, skip_locked=True)
                .first()
            )
            if delivery is None:
                return
            last_id = delivery.id
            yield delivery  # posted and saved by the caller, then committed here


def channel_events(channel: Webhook) -> list:
    try:
        events = channel.events or []
    except ValueError:
        return []
    return events if isinstance(events, list) else []


def hand_out(limit: int = 200) -> int:
    """Give each new alert of a site to the site's active channels that take its event: the
    queued row goes to the first of them, a copy (same body, ``<key>#<channel id>``) to each
    other one, so each channel has its own tries and its own state. An alert that none of the
    site's channels takes is dropped; one of a site without an active channel waits. Returns
    how many alerts were handed out."""
    fresh = (
        WebhookDelivery.select()
        .where(
            WebhookDelivery.channel.is_null()
            & WebhookDelivery.delivered_at.is_null()
            & (WebhookDelivery.attempts < MAX_ATTEMPTS)
        )
        .order_by(WebhookDelivery.id)
        .limit(limit)
    )
    handed = 0
    for delivery in fresh:
        channels = list(
            Webhook.select()
            .where((Webhook.site == delivery.site_id) & Webhook.active)
            .order_by(Webhook.id)
        )
        if not channels:
            continue
        takers = [c for c in channels if robots.wants(channel_events(c), delivery.event)]
        with db.atomic():
            if not takers:
                delivery.delete_instance()
                continue
            first, *others = takers
            WebhookDelivery.update(channel=first).where(
                (WebhookDelivery.id == delivery.id) & WebhookDelivery.channel.is_null()
            ).execute()
            for channel in others:
                WebhookDelivery.insert(
                    site=delivery.site_id,
                    event=delivery.event,
                    dedupe_key=f"{delivery.dedupe_key[:88]}#{channel.id}",
                    body=delivery.body,
                    created_at=delivery.created_at,
                    channel=channel,
                ).on_conflict_ignore().execute()
        handed += 1
    return handed


def configured_base_url() -> str | None:
    """The PUBLIC_BASE_URL setting (api/labels_address.py), for the link in a robot's message:
    the tick has no request to take an address from. None when unset or outside the app."""
    if not has_app_context():
        return None
    value = current_app.config.get("PUBLIC_BASE_URL")
    value = str(value).strip().rstrip("/") if value else ""
    return value or None


@dataclass
class Outcome:
    """What became of one post: taken or not, the HTTP status (0: no answer), and the
    platform's answer or the error in short (never the address: it may hold the key)."""

    ok: bool
    status: int
    answer: str


def post(url: str, body: bytes, headers: dict, kind: str) -> Outcome:
    request = urllib.request.Request(url, data=body, method="POST", headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310 - admin's URL
            status, answer = response.status, response.read(20000)
    except urllib.error.HTTPError as exc:
        status, answer = exc.code, exc.read(20000) if exc.fp else b""
    except (urllib.error.URLError, OSError) as exc:
        return Outcome(False, 0, str(getattr(exc, "reason", exc))[:300])
    ok, words = robots.platform_answer(kind, status, answer)
    return Outcome(ok, status, words[:300])


def send(channel: Webhook, event: str, body: str, *, site=None, now=None) -> Outcome:
    """Post one alert (a queued JSON body) to one channel, in the channel's own format."""
    now = now or utcnow()
    if channel.kind == robots.GENERIC:
        raw = body.encode()
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "X-Xunjian-Event": event,
            "X-Xunjian-Signature": signature(channel.secret, raw),
            "User-Agent": "xunjian-webhook/1",
        }
        return post(channel.url, raw, headers, robots.GENERIC)
    site = site or Site.get_by_id(channel.site_id)
    try:
        payload = json.loads(body)
    except ValueError:
        payload = {}
    if event == robots.TEST_EVENT:
        alert = robots.test_alert(site.name, site.zone, now, configured_base_url())
    else:
        alert = robots.describe(event, payload, site.name, site.zone, configured_base_url())
    url, raw = robots.robot_request(channel.kind, channel.url, channel.secret, alert, now)
    headers = {"Content-Type": "application/json; charset=utf-8", "User-Agent": "xunjian/1"}
    return post(url, raw, headers, channel.kind)


def send_test(channel: Webhook) -> Outcome:
    """The "send a test message" action: one message now, not queued, not retried."""
    site = Site.get_by_id(channel.site_id)
    now = utcnow()
    body = json.dumps(
        {
            "event": robots.TEST_EVENT,
            "site_id": site.id,
            "at": now.isoformat() + "Z",
            "message": "巡检通告警推送测试 / Xunjian alert channel test",
        },
        ensure_ascii=False,
    )
    return send(channel, robots.TEST_EVENT, body, site=site, now=now)


def deliver_pending(limit: int = 200) -> tuple[int, int]:
    """Hand new alerts to their channels, then post waiting ones, each to its own channel;
    returns (delivered, failed). A channel that fails is tried again on the next run and does
    not hold up the others."""
    hand_out(limit)
    delivered = failed = 0
    pending = (
        WebhookDelivery.select(WebhookDelivery, Webhook)
        .join(Webhook, on=(WebhookDelivery.channel == Webhook.id), attr="webhook")
        .where(
            WebhookDelivery.delivered_at.is_null()
            & (WebhookDelivery.attempts < MAX_ATTEMPTS)
            & Webhook.active
        )
        .order_by(WebhookDelivery.id)
        .limit(limit)
    )
    sites = {}
    for delivery in claimed_one_by_one(pending, limit):
        hook = delivery.webhook
        if hook.site_id not in sites:
            sites[hook.site_id] = Site.get_by_id(hook.site_id)
        delivery.attempts += 1
        outcome = send(hook, delivery.event, delivery.body, site=sites[hook.site_id])
        delivery.last_error = "" if outcome.ok else outcome.answer
        if outcome.ok:
            delivery.delivered_at = utcnow()
            delivered += 1
        else:
            failed += 1
        delivery.save()
    return delivered, failed
