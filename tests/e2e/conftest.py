"""Browser journeys: Debian's chromium driven by Playwright against the live
server, a real Celery worker on Redis and the fake Twilio, on the demo data.

Playwright's sync API runs an event loop in the test thread, so Django would
refuse database calls from it as "async-unsafe"; nothing here is async, so
the check is switched off while the browser runs, as Django documents for
such runners (and only then: `check --deploy` in other tests rightly refuses
a process environment with it set).
"""

import io
import os

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection
from django.urls import reverse
from playwright.sync_api import sync_playwright

from tests.callbacks.fake_twilio import FakeTwilio
from tests.workers import celery_worker

from .support import CHROMIUM, CHROMIUM_ARGS, Journey


# One browser for all the journeys, closed after the last of them: while
# Playwright runs, its event loop is the test thread's running loop, which the
# rest of the suite should not inherit.
@pytest.fixture(scope="package")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: run scripts/ensure-browser.sh")
    with pytest.MonkeyPatch.context() as patch, sync_playwright() as playwright:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        yield browser
        browser.close()


@pytest.fixture
def fake_twilio(settings):
    fake = FakeTwilio(settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN).start()
    yield fake
    fake.stop()


@pytest.fixture
def stack(live_server, settings, fake_twilio, transactional_db):
    """The demo data, then the site as it runs: the live server, a Celery
    worker on Redis (REDIS_URL), payments on the test provider's hosted
    page, whose signed events the worker posts to the live server's
    webhook, and phone calls through the fake Twilio, whose signed status
    callbacks reach the live server."""
    _restart_ids()
    # Set before the demo is seeded: its orders' events reach the webhook too.
    settings.SHOP_TEST_PROVIDER_WEBHOOK_URL = live_server.url + reverse(
        "shop:payment_webhook", args=["test"]
    )
    call_command("seed_demo", stdout=io.StringIO())
    settings.CALLBACKS_DIALER = "callbacks.dialers.TwilioDialer"
    settings.TWILIO_API_BASE = fake_twilio.base_url
    settings.CALLBACKS_PUBLIC_BASE_URL = live_server.url
    settings.SITE_URL = live_server.url
    # "Call me in 5 minutes", compressed to a few seconds.
    settings.CALLBACKS_LATER_DELAY = 3
    with celery_worker(pool="threads", concurrency=2):
        yield live_server


def _restart_ids() -> None:
    """Ids count on from the rows there are, 1 in an empty table: the demo
    data gets the numbers the README gives (order 1001), whatever tests ran
    before (a rolled-back transaction does not give back its ids)."""
    statements = connection.ops.sequence_reset_sql(no_style(), apps.get_models())
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


@pytest.fixture
def journey(request, browser, stack):
    """Browser contexts for one journey, and its screenshots."""
    name = request.module.__name__.rsplit(".", 1)[-1].removeprefix("test_")
    if hasattr(request.node, "callspec"):
        name += "-" + request.node.callspec.id
    journey = Journey(
        name=name,
        browser=browser,
        base_url=stack.url,
    )
    yield journey
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        journey.shoot_all("failed")  # what each browser showed when it failed
    journey.close()
    assert journey.csp_violations == [], "The browser refused, under the CSP:\n" + (
        "\n".join(journey.csp_violations)
    )


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.report_call = report
    return report
