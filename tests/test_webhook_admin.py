"""Webhooks from the admin's side: hooks into this server or a private network are refused unless
the operator allows them, and the deliveries list says what became of each alert."""

import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from models import utcnow
from models.records.webhooks import MAX_ATTEMPTS, deliver_pending, signature
from models.tables.patrols import Webhook, WebhookDelivery
from tests.conftest import make_app


def set_hook(world, url, site=None):
    site = site or world.site_a
    return world.client.post(
        "/api/webhooks",
        headers=world.headers("admin"),
        json={"site_id": site.id, "url": url},
    )


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9/",
        "http://localhost/",
        "http://localhost:8080/hook",
        "http://10.1.2.3/hook",
        "http://172.16.0.1/",
        "http://172.31.255.1/",
        "http://192.168.1.10:8000/",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/",
        "http://[fd00::1]/",
        "http://127.00.0.01/",  # read as 127.0.0.1 by the resolver
    ],
)
def test_a_hook_into_this_server_or_a_private_network_is_refused(app, world, url):
    r = set_hook(world, url)
    assert r.status_code == 422, r.json
    assert r.json["error"] == "private_address"
    assert "XUNJIAN_ALLOW_PRIVATE_WEBHOOKS" in r.json["message"]
    assert r.json["errors"]["json"]["url"]
    with app.app_context():
        assert Webhook.select().count() == 0


def test_a_refused_hook_leaves_the_sites_hook_as_it_was(app, world):
    assert set_hook(world, "https://hooks.example.com/a").status_code == 201
    assert set_hook(world, "http://192.168.0.2/b").status_code == 422
    hooks = world.client.get("/api/webhooks", headers=world.headers("admin")).json
    assert [h["url"] for h in hooks] == ["https://hooks.example.com/a"]


def test_public_addresses_and_names_are_accepted(app, world):
    r = set_hook(world, "https://hooks.example.com/xunjian")
    assert r.status_code == 201, r.json
    assert r.json["url"] == "https://hooks.example.com/xunjian" and len(r.json["secret"]) == 64
    # Names are not resolved when the hook is saved.
    assert set_hook(world, "http://localhost.example.com/").status_code == 201


def test_the_setting_allows_private_hooks(app, world):
    app.config["ALLOW_PRIVATE_WEBHOOKS"] = True
    r = set_hook(world, "http://127.0.0.1:9/")
    assert r.status_code == 201, r.json
    assert r.json["url"] == "http://127.0.0.1:9/"


def test_the_setting_is_read_from_the_environment(tmp_path, monkeypatch):
    assert make_app(tmp_path / "default").config["ALLOW_PRIVATE_WEBHOOKS"] is False
    monkeypatch.setenv("XUNJIAN_ALLOW_PRIVATE_WEBHOOKS", "1")
    assert make_app(tmp_path / "allowed").config["ALLOW_PRIVATE_WEBHOOKS"]


class Receiver:
    """A webhook receiver on this machine's loopback address, for a few requests."""

    def __init__(self):
        self.received = []
        received = self.received

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                received.append((dict(self.headers), body))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


def queue(site, event, key, **fields):
    return WebhookDelivery.create(
        site=site, event=event, dedupe_key=key, body=json.dumps({"event": event}), **fields
    )


def deliveries(world, query=""):
    r = world.client.get(f"/api/webhooks/deliveries{query}", headers=world.headers("admin"))
    assert r.status_code == 200, r.json
    return r


def test_deliveries_show_delivered_waiting_and_failed_newest_first(app, world):
    app.config["ALLOW_PRIVATE_WEBHOOKS"] = True  # the receiver is on this machine
    with Receiver() as receiver:
        secret = set_hook(world, receiver.url).json["secret"]
        # A site B hook that nobody listens on (the discard port: connection refused).
        assert set_hook(world, "http://127.0.0.1:9/", site=world.site_b).status_code == 201
        with app.app_context():
            queue(world.site_a, "round.missed", "a-1")
            queue(world.site_b, "scan.flagged", "b-1")
            queue(world.site_b, "anomaly.opened", "b-2", attempts=MAX_ATTEMPTS - 1)
            delivered, failed = deliver_pending()
        assert (delivered, failed) == (1, 2)
    ((headers, body),) = receiver.received
    assert headers["X-Xunjian-Signature"] == signature(secret, body)

    rows = deliveries(world).json
    assert [r["event"] for r in rows] == [
        "anomaly.opened",
        "scan.flagged",
        "round.missed",
    ]
    by_event = {r["event"]: r for r in rows}
    assert by_event["round.missed"]["status"] == "delivered"
    assert by_event["round.missed"]["delivered_at"] is not None
    assert by_event["round.missed"]["attempts"] == 1
    assert by_event["round.missed"]["last_error"] == ""
    assert by_event["scan.flagged"]["status"] == "waiting"
    assert by_event["scan.flagged"]["attempts"] == 1 and by_event["scan.flagged"]["last_error"]
    assert by_event["scan.flagged"]["delivered_at"] is None
    assert by_event["anomaly.opened"]["status"] == "failed"
    assert by_event["anomaly.opened"]["attempts"] == MAX_ATTEMPTS
    # Times in the site's zone; no secret, no body.
    assert by_event["round.missed"]["created_at"].endswith("+08:00")
    for row in rows:
        assert set(row) == {
            "id", "site_id", "event", "created_at", "delivered_at", "attempts", "last_error",
            "status", "channel_id", "channel_kind", "channel_name",
        }  # fmt: skip
        assert row["channel_kind"] == "generic"
        assert secret not in json.dumps(row)


def test_deliveries_filter_by_site_and_status_and_page(app, world):
    with app.app_context():
        for i in range(3):
            queue(world.site_a, "round.missed", f"a-{i}", created_at=utcnow() - timedelta(hours=i))
        queue(world.site_b, "scan.flagged", "b-0", delivered_at=utcnow(), attempts=1)
        queue(world.site_b, "scan.flagged", "b-1", attempts=MAX_ATTEMPTS)
    site_a = deliveries(world, f"?site_id={world.site_a.id}").json
    assert len(site_a) == 3 and {r["site_id"] for r in site_a} == {world.site_a.id}
    assert [r["status"] for r in deliveries(world, "?status=delivered").json] == ["delivered"]
    failed = deliveries(world, "?status=failed").json
    assert [(r["site_id"], r["status"]) for r in failed] == [(world.site_b.id, "failed")]
    assert len(deliveries(world, "?status=waiting").json) == 3
    page = deliveries(world, "?page=2&page_size=2")
    assert len(page.json) == 2
    assert json.loads(page.headers["X-Pagination"])["total"] == 5
    bad = world.client.get("/api/webhooks/deliveries?status=lost", headers=world.headers("admin"))
    assert bad.status_code == 422


def test_only_admins_see_deliveries(world):
    r = world.client.get("/api/webhooks/deliveries", headers=world.headers("supervisor"))
    assert r.status_code == 403
