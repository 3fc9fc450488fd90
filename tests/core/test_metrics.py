"""/metrics: a bearer token or nothing, never cached, every process's events
added up, and every series the issue names and the dashboard draws."""

import json
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import redis
from django.conf import settings as django_settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from prometheus_client.parser import text_string_to_metric_families

from core import metrics
from tests.metrics import TOKEN, scrape, value

pytestmark = pytest.mark.django_db

BASE_DIR = Path(django_settings.BASE_DIR)
DASHBOARD = BASE_DIR / "deploy" / "grafana" / "hoshii.json"

# The series the issue names (#19), as exposed.
NAMED_SERIES = {
    "hoshii_http_request_duration_seconds_bucket",
    "hoshii_orders_placed_total",
    "hoshii_payment_webhook_lag_seconds_bucket",
    "hoshii_callback_dial_latency_seconds_bucket",
    "hoshii_callbacks_finished_total",
    "hoshii_celery_queue_depth",
    "hoshii_outbox_backlog",
    "hoshii_support_cases",
    "hoshii_support_cases_overdue",
}


# --- Who may read it --------------------------------------------------------------


def test_without_a_token_configured_there_is_no_endpoint(client, settings):
    settings.METRICS_TOKEN = ""
    settings.METRICS_WITHOUT_TOKEN = False
    assert client.get(reverse("metrics")).status_code == 404


def test_run_mode_serves_it_without_a_token(client, settings):
    settings.METRICS_TOKEN = ""
    settings.METRICS_WITHOUT_TOKEN = True
    assert client.get(reverse("metrics")).status_code == 200


@pytest.mark.parametrize(
    "header", [None, "Bearer wrong", f"Basic {TOKEN}", "Bearer", f"Bearer {TOKEN}x"]
)
def test_a_missing_or_wrong_token_is_refused(client, settings, header):
    settings.METRICS_TOKEN = TOKEN
    extra = {"HTTP_AUTHORIZATION": header} if header else {}
    response = client.get(reverse("metrics"), **extra)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="metrics"'
    assert b"hoshii_" not in response.content


def test_the_token_opens_it_and_nothing_caches_it(client, settings):
    settings.METRICS_TOKEN = TOKEN
    response = client.get(reverse("metrics"), HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=")
    assert "no-store" in response["Cache-Control"]
    assert "Set-Cookie" not in response
    # The same series whether one process or many: no ``_created`` ones.
    assert b"_created" not in response.content
    # Read-only: a POST is not a scrape.
    posted = client.post(reverse("metrics"), HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert posted.status_code == 405


# --- Request latency ---------------------------------------------------------------


def test_requests_are_timed_by_view_name_not_path(client, settings):
    before = scrape(settings)
    client.get(reverse("healthz"))
    client.get("/no/such/page/")
    after = scrape(settings)

    def count(**labels):
        return value(
            after, "hoshii_http_request_duration_seconds_count", **labels
        ) - value(before, "hoshii_http_request_duration_seconds_count", **labels)

    assert count(view="healthz", method="GET", status="2xx") == 1
    assert count(view="<none>", method="GET", status="4xx") == 1
    labels = {
        have["view"] for have, _ in after["hoshii_http_request_duration_seconds_count"]
    }
    # Scrapes are not timed; paths never become labels.
    assert "metrics" not in labels
    assert not any("/" in view for view in labels)


def test_timing_a_request_adds_no_query(client):
    with CaptureQueriesContext(connection) as captured:
        client.get(reverse("healthz"))
    assert captured.captured_queries == []


# --- Levels read at scrape ---------------------------------------------------------


def test_celery_queue_depth_is_read_from_the_broker(settings):
    settings.CELERY_BROKER_URL = settings.REDIS_URL
    broker = redis.Redis.from_url(settings.REDIS_URL)
    broker.delete("calls", "celery")
    broker.rpush("calls", "a", "b")
    broker.rpush("calls\x06\x163", "c")  # kombu's key for a higher priority
    try:
        samples = scrape(settings)
    finally:
        broker.delete("calls", "calls\x06\x163")
    assert value(samples, "hoshii_celery_queue_depth", queue="calls") == 3
    assert value(samples, "hoshii_celery_queue_depth", queue="celery") == 0


def test_a_failing_collector_leaves_only_its_own_series_out(settings, monkeypatch):
    class Broken:
        def collect(self):
            raise ConnectionError("the database is away")

    monkeypatch.setitem(metrics._collectors, "test.broken", Broken())
    samples = scrape(settings)
    assert "hoshii_support_cases" in samples


def test_every_named_series_is_served(settings):
    """The levels are there at once; the events once each has happened
    (tests/shop, tests/callbacks test each one; here all in one scrape)."""
    from tests.core.events import produce_one_of_each

    produce_one_of_each(settings)
    samples = scrape(settings)
    assert samples.keys() >= NAMED_SERIES, NAMED_SERIES - samples.keys()


# --- Many processes ---------------------------------------------------------------


def test_multiprocess_mode_adds_up_every_process(tmp_path):
    """Two processes (as two gunicorn workers, or a web worker and a Celery
    worker) record into one PROMETHEUS_MULTIPROC_DIR; a scrape in a third
    reports their sum, and a restart's clean-up drops only dead processes'
    files."""
    env = {
        **os.environ,
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
    }
    record = textwrap.dedent(
        """
        import django
        django.setup()
        from shop import metrics
        metrics.ORDERS_PLACED.labels(payment="card").inc(2)
        """
    )
    for _ in range(2):
        subprocess.run(
            [sys.executable, "-c", record], env=env, cwd=BASE_DIR, check=True
        )
    assert len(list(tmp_path.glob("counter_*.db"))) == 2

    read = textwrap.dedent(
        """
        import django
        django.setup()
        from core import metrics
        from prometheus_client import values
        assert values.ValueClass is not values.MutexValue
        print(metrics.scrape().decode())
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", read],
        env=env,
        cwd=BASE_DIR,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    families = {f.name: f for f in text_string_to_metric_families(out)}
    (sample,) = [
        s
        for s in families["hoshii_orders_placed"].samples
        if s.name == "hoshii_orders_placed_total"
    ]
    assert sample.labels == {"payment": "card"}
    assert sample.value == 4

    clean = "from core import metrics; metrics.clean_process_files()"
    subprocess.run([sys.executable, "-c", clean], env=env, cwd=BASE_DIR, check=True)
    assert list(tmp_path.glob("*.db")) == []


# --- The dashboard -----------------------------------------------------------------


def _panels(dashboard: dict) -> list[dict]:
    found = []
    for panel in dashboard["panels"]:
        found.append(panel)
        found.extend(panel.get("panels", []))
    return found


def test_the_dashboard_draws_every_named_series_and_only_served_ones(settings):
    from tests.core.events import produce_one_of_each

    dashboard = json.loads(DASHBOARD.read_text())
    assert dashboard["uid"] and dashboard["title"]
    assert [v["name"] for v in dashboard["templating"]["list"]] == ["datasource"]
    assert dashboard["templating"]["list"][0]["type"] == "datasource"
    panels = [p for p in _panels(dashboard) if p["type"] != "row"]
    assert len({p["id"] for p in _panels(dashboard)}) == len(_panels(dashboard))
    expressions = []
    for panel in panels:
        assert panel["title"]
        assert panel["datasource"] == {"type": "prometheus", "uid": "${datasource}"}
        assert panel["targets"], panel["title"]
        for target in panel["targets"]:
            assert target["refId"] and target["expr"]
            expressions.append(target["expr"])
    named = set(re.findall(r"\bhoshii_[a-z_]+", " ".join(expressions)))

    produce_one_of_each(settings)
    served = scrape(settings).keys()
    assert named <= served, named - served
    # Every series the issue names has a panel.
    assert named >= NAMED_SERIES, NAMED_SERIES - named
