"""A real Celery worker on Redis for the tests that need one."""

import time
from contextlib import contextmanager

from celery.contrib.testing.worker import start_worker

from config.celery_app import app


@contextmanager
def celery_worker(**options):
    """A worker in this process, consuming from Redis (REDIS_URL): tasks go
    through the broker instead of running eagerly as the test settings have
    them, and eager mode is back afterwards whatever happened."""
    app.conf.task_always_eager = False
    app.control.purge()  # nothing left over from an earlier run
    try:
        with start_worker(app, perform_ping_check=False, **options):
            yield
    finally:
        app.conf.task_always_eager = True


def wait_for(predicate, seconds: float = 20.0) -> bool:
    """Whether ``predicate()`` came true within ``seconds``, asked every
    50 ms: a worker runs in its own time."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False
