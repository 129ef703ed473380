"""The minute tick inside the server: ``make run`` (gunicorn) needs no cron for shifts to be
judged when their window closes, rounds to be made and alerts to go out.

Every gunicorn worker starts a runner thread (gunicorn.conf.py ``post_worker_init``); each
minute every runner asks for the tick lock without waiting (models/tick_lock.py: an flock
beside the SQLite database, an advisory lock on PostgreSQL), so one tick runs at a time
however many workers, servers or cron jobs there are: the others skip that minute. A worker
that dies takes its runner with it; the others carry on. ``XUNJIAN_EMBEDDED_TICK=0`` turns
the runners off where a deployment prefers its own timer (``flask tick`` from cron).
"""

import logging
import os
import threading
import time

log = logging.getLogger(__name__)


def enabled() -> bool:
    return os.environ.get("XUNJIAN_EMBEDDED_TICK", "1").strip().lower() not in ("0", "false", "no")


class Runner:
    """A running tick thread; ``stop()`` asks it to end and waits until it has (a tick under
    way finishes first and lets go of the tick lock)."""

    def __init__(self, thread: threading.Thread, stopping: threading.Event):
        self.thread, self.stopping = thread, stopping

    def stop(self, timeout: float = 30.0) -> None:
        self.stopping.set()
        self.thread.join(timeout)


def start(app, every: float = 60.0) -> Runner:
    """Run the tick every ``every`` seconds (at the start of each minute by default) in a
    daemon thread."""
    stopping = threading.Event()

    def loop():
        from api.cli import run_tick

        while not stopping.is_set():
            # Wait for the next whole period (the start of the next minute), or until stopped.
            if stopping.wait(every - (time.time() % every) if every >= 60 else every):
                return
            try:
                with app.app_context():
                    run_tick()
            except Exception:  # a bad minute must not stop the next one
                log.exception("the embedded tick failed; it runs again next minute")

    thread = threading.Thread(target=loop, name="xunjian-tick", daemon=True)
    thread.start()
    return Runner(thread, stopping)
