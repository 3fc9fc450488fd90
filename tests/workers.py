"""A real Celery worker for the tests that need one, on Redis or RabbitMQ."""

import json
import os
import shutil
import subprocess
import threading
import time
import urllib.parse
import urllib.request
import uuid
from contextlib import contextmanager

from celery import signals
from celery.contrib.testing.worker import start_worker
from celery.worker import state as worker_state
from django.conf import settings
from django.db import connections
from kombu import pools

from config import brokers
from config.celery_app import app

# RabbitMQ for the tests that run on both brokers (scripts/ensure-services.sh
# starts it when it is local and down). Each test run gets a virtual host of
# its own, so runs in parallel never take each other's messages.
RABBITMQ_URL = os.environ.get("RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:5672//")
BROKERS = ["redis", "rabbitmq"]


class RabbitMQVhost:
    """A virtual host made for this test run, and deleted after it: with
    ``rabbitmqctl`` where this user may run it, else the management API."""

    def __init__(self, url: str = RABBITMQ_URL):
        self.parts = urllib.parse.urlsplit(url)
        self.name = f"hoshii-test-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        self.user = urllib.parse.unquote(self.parts.username or "guest")
        self.password = urllib.parse.unquote(self.parts.password or "guest")
        self.how = None

    @property
    def url(self) -> str:
        vhost = urllib.parse.quote(self.name, safe="")
        return urllib.parse.urlunsplit(self.parts._replace(path=f"/{vhost}"))

    def create(self) -> "RabbitMQVhost":
        tried = []
        if shutil.which("rabbitmqctl"):
            done = self._ctl("add_vhost", self.name)
            if done.returncode == 0:
                self.how = "rabbitmqctl"
                self._ctl(
                    "set_permissions", "-p", self.name, self.user, ".*", ".*", ".*"
                )
                return self
            tried.append(f"rabbitmqctl add_vhost: {done.stderr.strip()[:200]}")
        try:
            self._api("PUT", f"vhosts/{self._quoted}")
            self._api(
                "PUT",
                f"permissions/{self._quoted}/{urllib.parse.quote(self.user)}",
                {"configure": ".*", "write": ".*", "read": ".*"},
            )
            self.how = "api"
            return self
        except OSError as error:
            tried.append(f"management API: {error}")
        raise RuntimeError(
            "The RabbitMQ tests need a virtual host of their own: run them as a "
            "user who may run rabbitmqctl, or enable the management plugin "
            "(rabbitmq-plugins enable rabbitmq_management) for the RABBITMQ_URL "
            "user. Tried: " + "; ".join(tried)
        )

    def delete(self) -> None:
        if self.how == "rabbitmqctl":
            self._ctl("delete_vhost", self.name)
        elif self.how == "api":
            self._api("DELETE", f"vhosts/{self._quoted}")

    @property
    def _quoted(self) -> str:
        return urllib.parse.quote(self.name, safe="")

    def _ctl(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [shutil.which("rabbitmqctl") or "rabbitmqctl", "--quiet", *args],
            capture_output=True, text=True, timeout=60, check=False,
        )  # fmt: skip

    def _api(self, method: str, path: str, body: dict | None = None) -> None:
        host = self.parts.hostname or "127.0.0.1"
        request = urllib.request.Request(
            f"http://{host}:15672/api/{path}",
            data=json.dumps(body or {}).encode(),
            method=method,
            headers={"content-type": "application/json"},
        )
        auth = urllib.request.HTTPBasicAuthHandler()
        auth.add_password(None, f"http://{host}:15672/", self.user, self.password)
        urllib.request.build_opener(auth).open(request, timeout=10).close()


def broker_url(kind: str, vhost: RabbitMQVhost | None = None) -> str:
    if kind == "redis":
        return settings.REDIS_URL
    assert vhost is not None, "RabbitMQ runs in this test run's virtual host"
    return vhost.url


@contextmanager
def using_broker(url: str):
    """The Celery app (tasks queued, the in-process worker) on ``url``
    until the block ends, with that broker's transport options."""
    saved = (
        app.conf.broker_url,
        app.conf.broker_transport,
        app.conf.broker_transport_options,
    )
    saved_environ = os.environ.get("CELERY_BROKER_URL")
    visibility_timeout = settings.CELERY_BROKER_TRANSPORT_OPTIONS.get(
        "visibility_timeout", 3600
    )
    # Celery reads CELERY_BROKER_URL from the environment before its settings.
    os.environ["CELERY_BROKER_URL"] = url
    _point_at(
        url,
        brokers.transport(url),
        brokers.transport_options(url, visibility_timeout=visibility_timeout),
    )
    try:
        yield
    finally:
        if saved_environ is None:
            del os.environ["CELERY_BROKER_URL"]
        else:
            os.environ["CELERY_BROKER_URL"] = saved_environ
        _point_at(*saved)


def _point_at(url: str, transport: str | None, options: dict) -> None:
    # Connections pooled so far are to the other broker: close and forget them.
    pools.reset()
    app._pool = None
    app.amqp._producer_pool = None
    app.conf.broker_url = url
    app.conf.broker_transport = transport
    app.conf.broker_transport_options = options


# The worker's event loop sleeps until its next timer, up to 10 s when
# nothing is due (kombu's hub), before it sees that it must stop: Celery's
# default of 10 s to stop is a race with that sleep, on RabbitMQ most of all.
SHUTDOWN_TIMEOUT = 30.0


@contextmanager
def celery_worker(**options):
    """A worker in this process, consuming from the app's broker (REDIS_URL
    unless inside ``using_broker``): tasks go through the broker instead of
    running eagerly as the test settings have them, and eager mode is back
    afterwards whatever happened. The database connections its threads
    opened are closed when it stops, as a worker process's are when it
    exits."""
    test_thread = threading.get_ident()
    opened = set()

    def remember_connections(**kwargs) -> None:  # in the thread that ran a task
        if threading.get_ident() != test_thread:
            opened.update(connections.all(initialized_only=True))

    signals.task_postrun.connect(remember_connections, weak=False)
    app.conf.task_always_eager = False
    app.control.purge()  # nothing left over from an earlier run
    # A worker that failed to stop leaves the stop flag set, and the next
    # one would stop before it started, its test waiting for ever.
    worker_state.should_terminate = None
    options.setdefault("shutdown_timeout", SHUTDOWN_TIMEOUT)
    try:
        with start_worker(app, perform_ping_check=False, **options):
            yield
    finally:
        app.conf.task_always_eager = True
        signals.task_postrun.disconnect(remember_connections)
        for connection in opened:
            connection.inc_thread_sharing()  # closed from the test's thread
            connection.close()


def wait_for(predicate, seconds: float = 20.0) -> bool:
    """Whether ``predicate()`` came true within ``seconds``, asked every
    50 ms: a worker runs in its own time."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False
