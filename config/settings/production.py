"""Production: every secret comes from the environment, with no default.

A missing SECRET_KEY, DATABASE_URL, REDIS_URL or ALLOWED_HOSTS stops start-up.
So does an integration that would be faked silently: see "Integrations".
"""

from django.core.exceptions import ImproperlyConfigured

from .base import *
from .base import env

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
REDIS_URL = env("REDIS_URL")

# --- HTTPS, behind a TLS-terminating proxy ----------------------------------
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
# Health checks from the load balancer come over plain HTTP.
# So does Prometheus, scraping the web container directly on the private
# network with its bearer token (docs/operations.md).
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^metrics$"]
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
# Proxies in front of gunicorn that append to X-Forwarded-For (the compose
# file's nginx is one): the client's address, for allauth's rate limits, is
# that many entries from the end. 0: REMOTE_ADDR, no proxy.
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)

# --- Integrations: the real provider, or a stand-in chosen by name ----------
# One rule for every integration: production falls back to no stand-in. A
# stand-in (the console dialer, the test payment provider) runs here only
# when its variable names it in the environment; otherwise the real
# provider's configuration must be complete, or start-up stops. Customers
# must never see "Ringing… Connected" for a call nobody placed, or an order
# paid with money nobody took.
CALLBACKS_DIALER = env("CALLBACKS_DIALER", default="") or (
    "callbacks.dialers.TwilioDialer"
)
if CALLBACKS_DIALER == "callbacks.dialers.TwilioDialer":
    _missing = [
        name
        for name in (
            "TWILIO_ACCOUNT_SID",
            "TWILIO_AUTH_TOKEN",
            "TWILIO_FROM_NUMBER",
            "CALLBACKS_PUBLIC_BASE_URL",
        )
        if not env(name, default="")
    ]
    if _missing:
        raise ImproperlyConfigured(
            "Phone calls go through Twilio in production: set "
            + ", ".join(_missing)
            + " (CALLBACKS_PUBLIC_BASE_URL is the https address Twilio reaches "
            "this site at). To run without placing real calls, choose the "
            "console dialer on purpose: "
            "CALLBACKS_DIALER=callbacks.dialers.ConsoleDialer."
        )
SHOP_PAYMENT_PROVIDER = env("SHOP_PAYMENT_PROVIDER", default="")
if not SHOP_PAYMENT_PROVIDER:
    raise ImproperlyConfigured(
        "Set SHOP_PAYMENT_PROVIDER to the dotted path of your payment provider "
        "class. Production has no default: the test provider takes no money, so "
        "it runs only when named on purpose: "
        "SHOP_PAYMENT_PROVIDER=shop.payments.TestPaymentProvider."
    )
# Stripe, by either of the paths it is importable at.
if SHOP_PAYMENT_PROVIDER in (
    "shop.payments.StripeProvider",
    "shop.payments.stripe_checkout.StripeProvider",
):
    _missing = [
        name
        for name in ("STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET")
        if not env(name, default="")
    ]
    if _missing:
        raise ImproperlyConfigured(
            "Stripe needs " + ", ".join(_missing) + " (see docs/payments.md)."
        )

# --- Logs and errors (docs/operations.md) ------------------------------------
# One JSON object per line for the log collector, unless LOG_FORMAT=text.
LOG_FORMAT = env("LOG_FORMAT", default="json")
if LOG_FORMAT not in ("text", "json"):
    raise ImproperlyConfigured("LOG_FORMAT is either text or json.")
LOGGING["handlers"]["console"]["formatter"] = LOG_FORMAT
# Errors go to Sentry when SENTRY_DSN is set, with personal data scrubbed
# (core.errors); traces only when a sample rate is chosen.
SENTRY_DSN = env("SENTRY_DSN", default="")
if SENTRY_DSN:
    from core.errors import init_sentry

    init_sentry(
        dsn=SENTRY_DSN,
        environment=env("SENTRY_ENVIRONMENT", default="production"),
        traces_sample_rate=env.float("SENTRY_TRACES_SAMPLE_RATE", default=0.0),
        release=env("SENTRY_RELEASE", default="") or None,
    )
