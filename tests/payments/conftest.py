import pytest
import stripe

from .fake_stripe import FakeStripe


@pytest.fixture
def fake_stripe(monkeypatch):
    """The real stripe library, over HTTP, to a fake Stripe on loopback.

    The library's module settings point at the fake for the test and are
    restored after it: its key, API base, no telemetry, and no automatic
    retries unless the test asks for them.
    """
    fake = FakeStripe().start()
    monkeypatch.setattr(stripe, "api_key", fake.api_key)
    monkeypatch.setattr(stripe, "api_base", fake.base_url)
    monkeypatch.setattr(stripe, "enable_telemetry", False)
    monkeypatch.setattr(stripe, "max_network_retries", 0)
    monkeypatch.setattr(stripe, "default_http_client", stripe.RequestsClient(timeout=5))
    yield fake
    fake.stop()


@pytest.fixture
def stripe_shop(fake_stripe, settings):
    """The shop on Stripe, its Stripe the fake: new payments go through
    ``StripeProvider``, whose client (built from Django's settings, cached
    per configuration) is built afresh for this fake."""
    from shop.payments import stripe_checkout

    from .fake_stripe import WEBHOOK_SECRET

    settings.SHOP_PAYMENT_PROVIDER = "shop.payments.StripeProvider"
    settings.STRIPE_API_BASE = fake_stripe.base_url
    settings.STRIPE_SECRET_KEY = fake_stripe.api_key
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    settings.STRIPE_MAX_NETWORK_RETRIES = 0
    settings.STRIPE_TIMEOUT_SECONDS = 5
    stripe_checkout._client.cache_clear()
    yield fake_stripe
    stripe_checkout._client.cache_clear()
