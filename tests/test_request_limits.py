"""Requests too big or too broken for the app, against a real gunicorn (gunicorn.conf.py): the
app refuses an over-long URL (414) and too many or too long headers (431) itself, below
gunicorn's own limits; what gunicorn refuses before the app runs (past those limits, or not
HTTP at all) is answered in the same JSON error shape, never gunicorn's HTML page."""

import json
import socket

import pytest

from models.tables.schema import upgrade
from tests.conftest import make_app
from tests.test_faults import Server, servers  # noqa: F401  (the fixture)


@pytest.fixture
def server(tmp_path, servers):  # noqa: F811
    app = make_app(tmp_path)
    with app.app_context():
        upgrade()
    app.extensions["xunjian"]["database"].close_all()
    started = Server(
        tmp_path / "instance", f"sqlite:///{tmp_path / 'test.db'}", tmp_path / "gunicorn.log"
    ).start()
    servers.append(started)
    return started


def exchange(server, raw: bytes) -> tuple[int, dict, dict]:
    """Send raw bytes; the status, headers and JSON body of the answer."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as conn:
        conn.sendall(raw)
        received = b""
        while chunk := conn.recv(65536):
            received += chunk
    head, _, body = received.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
    assert headers["content-type"].startswith("application/json"), received[:300]
    return status, headers, json.loads(body)


def get(path: str, extra: list[str] = ()) -> bytes:
    lines = [f"GET {path} HTTP/1.1", "Host: 127.0.0.1", "Connection: close", *extra]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def assert_error_shape(body: dict, code: int, error: str) -> None:
    assert body["code"] == code and body["error"] == error
    assert isinstance(body["message"], str) and body["message"]
    assert isinstance(body["status"], str)


def test_over_long_urls_and_headers_are_refused_in_the_one_error_shape(server):
    status, _, body = exchange(server, get("/api/health"))
    assert status == 200 and body["status"] == "ok"

    cases = [
        # Refused by the app, below gunicorn's limits.
        (get("/api/sites?q=" + "x" * 5000), 414, "uri_too_long"),
        (get("/api/health", [f"X-Extra-{n}: {n}" for n in range(80)]), 431, "headers_too_large"),
        (get("/api/health", ["X-Long: " + "y" * 10000]), 431, "headers_too_large"),
        # Refused by gunicorn before the app: past its limits, or not HTTP.
        (get("/api/sites?q=" + "x" * 9000), 414, "uri_too_long"),
        (get("/api/health", [f"X-Extra-{n}: {n}" for n in range(200)]), 431, "headers_too_large"),
        (get("/api/health", ["X-Long: " + "y" * 20000]), 431, "headers_too_large"),
        (b"THIS IS NOT HTTP\r\n\r\n", 400, "bad_request"),
        (b"GET /api/health HTTP/9.9\r\nHost: x\r\n\r\n", 400, "bad_request"),
    ]
    for raw, code, error in cases:
        status, headers, body = exchange(server, raw)
        assert status == code, (raw[:60], body)
        assert_error_shape(body, code, error)
        assert headers.get("connection") == "close"
