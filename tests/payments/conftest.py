"""The fake Stripe's fixture, ``fake_stripe``, is in ``tests/conftest.py``,
for every app's payment tests; ``stripe_shop`` puts the shop on it."""

import pytest

from tests.conftest import fake_stripe

__all__ = ["fake_stripe", "stripe_shop"]


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
