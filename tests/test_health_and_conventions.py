"""The service's outer conventions: health, request ids, the error shape, offline docs."""

import re

from tests.conftest import make_app

ERROR_KEYS = {"code", "status", "error", "message"}


def test_health_checks_the_database(client):
    r = client.get("/api/health")
    assert r.status_code == 200
    assert r.json == {"status": "ok", "database": "ok"}


def test_health_reports_a_dead_database(tmp_path):
    # A PostgreSQL port nobody listens on: the health check must say so, not crash.
    dead = make_app(tmp_path, DATABASE_URL="postgresql://nobody@127.0.0.1:9/none")
    r = dead.test_client().get("/api/health")
    assert r.status_code == 503
    assert r.json == {"status": "unavailable", "database": "unreachable"}


def test_every_response_has_a_request_id(client):
    r = client.get("/api/health")
    assert re.fullmatch(r"[0-9a-f]{32}", r.headers["X-Request-ID"])
    r = client.get("/api/health", headers={"X-Request-ID": "lb-123.abc"})
    assert r.headers["X-Request-ID"] == "lb-123.abc"
    # A hostile id is replaced, not echoed into logs and headers.
    r = client.get("/api/health", headers={"X-Request-ID": 'x" injected'})
    assert r.headers["X-Request-ID"] != 'x" injected'


def test_unknown_url_and_method_use_the_error_shape(client, world):
    r = client.get("/api/nowhere")
    assert r.status_code == 404 and ERROR_KEYS <= r.json.keys() and r.json["error"] == "not_found"
    r = client.delete("/api/sites", headers=world.headers("admin"))
    assert r.status_code == 405 and r.json["error"] == "method_not_allowed"


def test_docs_page_uses_only_local_assets(client):
    page = client.get("/api/docs").get_data(as_text=True)
    assets = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert assets, "the docs page should load its scripts and styles"
    for url in assets:
        assert url.startswith("/static/vendor/swagger-ui/"), url
        with client.get(url) as asset:
            assert asset.status_code == 200, url
    spec = client.get("/api/openapi.json").json
    assert "/api/sites" in spec["paths"]
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
