"""Fixtures every app's tests share."""

import pytest
import stripe
from django.conf import settings
from django.core.cache import cache
from django.utils import translation

from callbacks.dialers import LocmemDialer
from core import fragments
from tests.payments.fake_stripe import FakeStripe
from tests.shop.factories import UserFactory, sign_in_staff


@pytest.fixture(autouse=True)
def _fresh_cache():
    # The cache is Redis here; allauth's rate limits and anything cached must
    # not leak from one test into the next, nor the fragments this process
    # keeps (core.fragments).
    cache.clear()
    fragments.HELD.clear()
    yield
    cache.clear()
    fragments.HELD.clear()


@pytest.fixture(autouse=True)
def _site_language():
    # Django's LocaleMiddleware leaves the language it chose for a request
    # active in the thread afterwards (as a server's next request would
    # reset it): one test's Japanese page must not make the next test's
    # messages Japanese. Each test starts and ends in the site's language.
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    # Photos a test stores (the demo seed's too) land in its own directory.
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _export_root(settings, tmp_path):
    # Customers' data exports, private, in the test's own directory too.
    settings.PRIVACY_EXPORT_ROOT = tmp_path / "exports"
    settings.STORAGES = {
        **settings.STORAGES,
        "exports": {
            **settings.STORAGES["exports"],
            "OPTIONS": {"location": tmp_path / "exports"},
        },
    }


@pytest.fixture(autouse=True)
def _no_calls_left_over():
    # The test dialer keeps its calls (and a failure to fake) on the class:
    # one test's calls must not be counted in the next, wherever they rang
    # from (callbacks, support's calls, the phone queue).
    LocmemDialer.calls.clear()
    LocmemDialer.fail_with = None
    yield
    LocmemDialer.calls.clear()
    LocmemDialer.fail_with = None


@pytest.fixture
def password() -> str:
    return "correct-horse-battery"


@pytest.fixture
def staff_client(client):
    """``client`` signed in as a superuser through the site's login with the
    second factor, as the admin requires."""
    sign_in_staff(client, UserFactory(is_staff=True, is_superuser=True))
    return client


@pytest.fixture
def fake_stripe(monkeypatch):
    """The real stripe library, over HTTP, to a fake Stripe on loopback.

    The library's module settings point at the fake for the test and are
    restored after it: its key, API base, no telemetry, and no automatic
    retries unless the test asks for them. (The shop's ``StripeProvider``
    reads Django's settings instead: point ``STRIPE_API_BASE`` and
    ``STRIPE_SECRET_KEY`` at the fake for it.)
    """
    fake = FakeStripe().start()
    monkeypatch.setattr(stripe, "api_key", fake.api_key)
    monkeypatch.setattr(stripe, "api_base", fake.base_url)
    monkeypatch.setattr(stripe, "enable_telemetry", False)
    monkeypatch.setattr(stripe, "max_network_retries", 0)
    monkeypatch.setattr(stripe, "default_http_client", stripe.RequestsClient(timeout=5))
    yield fake
    fake.stop()
