"""Prometheus metrics: the registry, the request-latency middleware and the
``/metrics`` endpoint. Core knows no app: each app defines its own metrics
with the classes below and records its own events; numbers that are read
from the database or the broker when scraped (cases by state, the outbox)
are collectors an app registers here at ``ready()``.

Two kinds of series:

- **Events** (counters, histograms), recorded by whichever process sees
  them: a gunicorn worker, a Celery worker. With ``PROMETHEUS_MULTIPROC_DIR``
  set (production), prometheus-client writes each process's values to a
  file there and a scrape adds every file up (``MultiProcessCollector``), so
  one scrape of any web worker reports the whole fleet. Web and workers
  share that directory (one volume in docker-compose.yml); file names carry
  the host name and the pid, so containers whose pids overlap never write
  the same file. Without it (run mode, tests) they live in this process.
- **Levels** (gauges) computed at scrape time by ``register_collector``'s
  collectors: live from the database and Redis, never stale, and never a
  multiprocess gauge file to clean up after a dead worker.

Recording an event adds no query: it is an in-memory (or mmap) write.
"""

import hmac
import logging
import os
import socket
import time
from collections.abc import Callable, Iterable

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    disable_created_metrics,
    generate_latest,
    multiprocess,
    values,
)
from prometheus_client.core import GaugeMetricFamily, Metric

__all__ = [
    "Counter",
    "GaugeMetricFamily",
    "Histogram",
    "MetricsMiddleware",
    "clean_process_files",
    "mark_process_dead",
    "metrics_view",
    "register_collector",
]

logger = logging.getLogger(__name__)

MULTIPROC_DIR_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"


def multiprocess_dir() -> str | None:
    return os.environ.get(MULTIPROC_DIR_VARIABLE) or None


def process_identifier(pid: int | None = None) -> str:
    """This process's name in the multiprocess files: the host name (a
    container's own) and the pid, so two containers' pid 7 differ."""
    return f"{socket.gethostname()}-{os.getpid() if pid is None else pid}"


# No ``_created`` series: the multiprocess mode has none, and Prometheus
# does not need them; a scrape reads the same in both modes.
disable_created_metrics()

if multiprocess_dir():
    # Before any metric exists: every app defines its metrics by importing
    # this module (prometheus-client reads ValueClass when a metric is made).
    values.ValueClass = values.MultiProcessValue(process_identifier=process_identifier)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def clean_process_files() -> None:
    """Remove the files of this host's dead processes from the multiprocess
    directory, when a server starts (gunicorn's master, a Celery worker)
    before its processes write: a restarted container's pids start over and
    must not carry on a dead process's file. Files of live processes (a
    Celery worker beside gunicorn on one machine) and of other hosts (the
    containers sharing the volume) are left alone."""
    path = multiprocess_dir()
    if not path or not os.path.isdir(path):
        return
    mine = f"_{socket.gethostname()}-"
    for name in os.listdir(path):
        pid = name.removesuffix(".db").rpartition("-")[2]
        if (
            name.endswith(".db")
            and mine in name
            and pid.isdigit()
            and int(pid) != os.getpid()
            and not _alive(int(pid))
        ):
            os.remove(os.path.join(path, name))


def mark_process_dead(pid: int) -> None:
    """gunicorn's ``child_exit``: a dead worker's live gauges stop counting
    (its counters and histograms stay in the totals, as they must)."""
    if multiprocess_dir():
        multiprocess.mark_process_dead(process_identifier(pid))


# --- Collected at scrape --------------------------------------------------------

_collectors: dict[str, object] = {}


def register_collector(name: str, collector: object) -> None:
    """Add a collector (an object with ``collect()`` yielding metric
    families) read at every scrape. Registered under ``name``, once: an
    app's ``ready()`` running twice replaces rather than doubles it."""
    _collectors[name] = collector


class _ThisProcess:
    """prometheus-client's default registry, read through: this process's
    own events when there is no multiprocess directory."""

    def collect(self) -> Iterable[Metric]:
        yield from REGISTRY.collect()


class _Guarded:
    """A scrape-time collector whose failure (the database or Redis down)
    leaves its series out of this scrape rather than failing the scrape:
    the request-latency series say what is wrong meanwhile."""

    def __init__(self, name: str, collector: object) -> None:
        self.name, self.collector = name, collector

    def collect(self) -> Iterable[Metric]:
        try:
            families = list(self.collector.collect())
        except Exception:
            logger.exception("Metrics collector %s failed", self.name)
            families = []
        yield from families


def scrape() -> bytes:
    """The exposition text of every series: every process's events, then
    the levels read now."""
    registry = CollectorRegistry()
    if multiprocess_dir():
        multiprocess.MultiProcessCollector(registry)
    else:
        registry.register(_ThisProcess())
    for name, collector in _collectors.items():
        registry.register(_Guarded(name, collector))
    return generate_latest(registry)


class CeleryQueueCollector:
    """The number of messages waiting in each of the project's Celery
    queues (``CELERY_TASK_QUEUES``), read from the Redis broker with LLEN.
    Tasks scheduled for later (an ETA) wait elsewhere until due and are not
    counted: this is the backlog workers have not picked up."""

    # kombu's Redis transport keeps higher priorities in keys of their own.
    PRIORITY_SEPARATOR = "\x06\x16"
    PRIORITY_STEPS = (3, 6, 9)

    def collect(self) -> Iterable[Metric]:
        broker = settings.CELERY_BROKER_URL
        if not broker.startswith(("redis://", "rediss://")):
            return
        import redis

        client = redis.Redis.from_url(broker, socket_timeout=2)
        family = GaugeMetricFamily(
            "hoshii_celery_queue_depth",
            "Messages waiting in a Celery queue on the broker.",
            labels=["queue"],
        )
        for queue in settings.CELERY_TASK_QUEUES:
            keys = [queue.name] + [
                f"{queue.name}{self.PRIORITY_SEPARATOR}{step}"
                for step in self.PRIORITY_STEPS
            ]
            with client.pipeline(transaction=False) as pipe:
                for key in keys:
                    pipe.llen(key)
                family.add_metric([queue.name], sum(pipe.execute()))
        yield family


register_collector("core.celery_queues", CeleryQueueCollector())


# --- Requests -------------------------------------------------------------------

REQUEST_LATENCY = Histogram(
    "hoshii_http_request_duration_seconds",
    "Time to answer a request, by view (its URL name), method and status class.",
    ["view", "method", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def view_label(request: HttpRequest) -> str:
    """The view a request reached, as its URL's name (``shop:product_list``):
    a bounded set, unlike paths with ids in them. Requests answered before
    a view was found (a redirect to HTTPS, a static file) or that matched
    no URL have none."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        return "<none>"
    return match.view_name or match._func_path


class MetricsMiddleware:
    """Times every request, first in and last out, except the scrape."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        start = time.perf_counter()
        response = self.get_response(request)
        view = view_label(request)
        if view != "metrics":
            REQUEST_LATENCY.labels(
                view=view,
                method=request.method if request.method in METHODS else "other",
                status=f"{response.status_code // 100}xx",
            ).observe(time.perf_counter() - start)
        return response


# --- The endpoint ---------------------------------------------------------------


def _authorised(request: HttpRequest) -> bool | None:
    """True with the right bearer token, False with none or another; None
    when metrics are not served at all (no METRICS_TOKEN and not run mode)."""
    token = settings.METRICS_TOKEN
    if not token:
        return True if settings.METRICS_WITHOUT_TOKEN else None
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(
        given.strip().encode(), token.encode()
    )


@csrf_exempt
@require_GET
@never_cache
def metrics_view(request: HttpRequest) -> HttpResponse:
    """Every series, for Prometheus, with ``Authorization: Bearer
    <METRICS_TOKEN>``. Without a token configured the endpoint does not
    exist (404), except in run mode, which listens on this machine only."""
    allowed = _authorised(request)
    if allowed is None:
        raise Http404
    if not allowed:
        response = HttpResponse("A bearer token is required.\n", status=401)
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    return HttpResponse(scrape(), content_type=CONTENT_TYPE_LATEST)
