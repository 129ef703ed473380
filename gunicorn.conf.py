"""gunicorn settings: ``gunicorn -c gunicorn.conf.py wsgi:app``.

Sync workers, one per core: the work is short database writes and photo processing, which
are CPU- or lock-bound, not waiting on the network. Each worker opens its own connection
pool after the fork (no preload), so no connection is shared between processes.
"""

import gc
import json
import multiprocessing
import os

import gunicorn.util

bind = os.environ.get("XUNJIAN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("XUNJIAN_WORKERS", multiprocessing.cpu_count()))
worker_class = "sync"
timeout = 30
graceful_timeout = 20
keepalive = 5
# Our own JSON access log (with request ids) replaces gunicorn's.
accesslog = None
errorlog = "-"
loglevel = "info"
# Photo uploads are limited by the app; these only bound the request line and headers, above
# the app's own limits (api/request_limits.py: a URL of 4096 bytes, 64 headers of 8190 bytes),
# which it refuses in the one JSON error shape itself.
limit_request_line = 8190  # gunicorn's maximum
limit_request_fields = 100
limit_request_field_size = 16384


def _json_error(sock, status_int, reason, mesg):
    """gunicorn's answer to what it refuses before the app runs (a request line or headers past
    the limits above, or not HTTP at all), in the app's error shape instead of an HTML page.
    Replaces gunicorn.util.write_error, which its workers call for these (Worker.handle_error);
    tests/test_request_limits.py checks it against the gunicorn installed."""
    error, message = _GUNICORN_REFUSALS.get(status_int, ("bad_request", "请求的格式不对"))
    if status_int >= 500 and status_int not in _GUNICORN_REFUSALS:
        error, message = "internal_error", "服务器出错了"
    body = {"code": status_int, "status": reason, "error": error}
    body["message"] = f"{message}（{reason}: {mesg}）"[:500]
    data = json.dumps(body, ensure_ascii=False).encode()
    head = (
        f"HTTP/1.1 {status_int} {reason}\r\nConnection: close\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(data)}\r\n\r\n"
    )
    gunicorn.util.write_nonblock(sock, head.encode("latin-1") + data)


_GUNICORN_REFUSALS = {
    414: ("uri_too_long", "地址太长"),
    431: ("headers_too_large", "请求头太多或太长"),
    403: ("forbidden", "拒绝访问"),
    501: ("not_implemented", "不支持这种传输方式"),
}
if callable(getattr(gunicorn.util, "write_error", None)):
    gunicorn.util.write_error = _json_error


def post_worker_init(worker):
    """Move everything the app made at start (routes, schemas, checklists: some 100,000
    objects) out of the garbage collector's sight: they live as long as the worker, and
    every full collection walked them all, a pause of ~60 ms now and then under load.

    Then start the worker's minute tick (api/tick_runner.py): shifts are judged when their
    window closes without a cron job; the tick lock lets one worker's tick run each minute."""
    from api import tick_runner

    if tick_runner.enabled():
        tick_runner.start(worker.wsgi)
    gc.freeze()
