"""Payment providers: the interface (``base``), the built-in test provider
and Stripe. ``get_provider()`` is the one configured for new payments;
``get_provider(name)`` the one a past payment was made with."""

from django.conf import settings
from django.utils.module_loading import import_string

from .base import (
    EXPIRED,
    OPEN,
    PAID,
    CheckoutSession,
    Event,
    InvalidEvent,
    PaymentProvider,
    ProviderRefund,
    ProviderUnavailable,
)
from .stripe_checkout import StripeProvider
from .test_provider import TestPaymentProvider

# Every provider the shop knows, by the name its payments record.
PROVIDERS: dict[str, type] = {
    TestPaymentProvider.name: TestPaymentProvider,
    StripeProvider.name: StripeProvider,
}


def get_provider(name: str | None = None) -> PaymentProvider:
    configured = import_string(settings.SHOP_PAYMENT_PROVIDER)
    if name is None or name == configured.name:
        return configured()
    return PROVIDERS[name]()


__all__ = [
    "EXPIRED",
    "OPEN",
    "PAID",
    "PROVIDERS",
    "CheckoutSession",
    "Event",
    "InvalidEvent",
    "PaymentProvider",
    "ProviderRefund",
    "ProviderUnavailable",
    "StripeProvider",
    "TestPaymentProvider",
    "get_provider",
]
