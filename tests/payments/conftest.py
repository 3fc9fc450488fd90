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
