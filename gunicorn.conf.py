"""gunicorn settings: ``gunicorn -c gunicorn.conf.py wsgi:app``.

Sync workers, one per core: the work is short database writes and photo processing, which
are CPU- or lock-bound, not waiting on the network. Each worker opens its own connection
pool after the fork (no preload), so no connection is shared between processes.
"""

import gc
import multiprocessing
import os

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
# Photo uploads are limited by the app; this only bounds the request line and headers.
limit_request_line = 8190


def post_worker_init(worker):
    """Move everything the app made at start (routes, schemas, checklists: some 100,000
    objects) out of the garbage collector's sight: they live as long as the worker, and
    every full collection walked them all, a pause of ~60 ms now and then under load."""
    gc.freeze()
