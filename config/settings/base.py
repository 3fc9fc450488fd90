"""Settings shared by every environment, read from the environment.

Each environment module (dev, test, production) starts from this one. Values
that differ per deployment come from environment variables, documented in the
README's configuration table.
"""

import os
from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from kombu import Queue

from config import brokers

from .media import media_settings

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
# A .env file is a convenience for local runs; real deployments set variables.
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

# --- Core -------------------------------------------------------------------
DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env("SECRET_KEY")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# Absolute URL of the site as the outside world reaches it, used in emails
# (and by later features for webhooks behind a TLS-terminating proxy).
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
# What every email and page calls the shop; its domain is SITE_URL's.
# django.contrib.sites' Site row (which allauth reads) is kept to the two by
# core.sites after each migrate.
SITE_NAME = env("SITE_NAME", default="Hoshii")
ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
SITE_ID = 1

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "phonenumber_field",
    "core",
    "shop",
    "wishlist",
    "gifts",
    "support",
    "callbacks",
    "privacy",
]

MIDDLEWARE = [
    # First, so every line of the request, redirects and errors included,
    # carries its id.
    "core.middleware.RequestIdMiddleware",
    # First in, last out: times everything below it (core.metrics).
    "core.metrics.MetricsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "core.middleware.StaffSecondFactorMiddleware",
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        # APP_DIRS without an explicit loader list: Django caches compiled
        # templates whenever DEBUG is off.
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "shop.context_processors.shop",
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------
DATABASES = {"default": env.db("DATABASE_URL")}
# Persistent connections: a new connection per request costs more than the
# request itself on a fast page.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A search ranks only the first 1,000 matches the plan finds
    # (shop.selectors.product_list); with synchronized scans a table scan
    # starts wherever another scan of the table is, so a refresh or the next
    # page could rank another thousand. Off, every scan starts at the start.
    # A page read at random costs about what one read in order does when the
    # data is in memory or on an SSD, not PostgreSQL's default of four times
    # (made for spinning disks): with 4 the planner read the table in order
    # rather than the search indexes, 16,000 rows and 21 ms for a word in
    # one product of 16 on 200,000 products, against 4 ms through them.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "options", "-c synchronize_seqscans=off -c random_page_cost=1.1"
    )
    # The hot paths' statements are prepared once per connection
    # (core.rows): false behind PgBouncer in transaction pooling, which does
    # not keep a session's prepared statements (docs/scaling.md).
    DATABASES["default"]["PREPARED_STATEMENTS"] = env.bool(
        "DATABASE_PREPARED_STATEMENTS", default=True
    )
elif DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Run mode: the web process, the worker's threads and beat write to one
    # file. SQLite's default (deferred) transactions fail at once with
    # "database is locked" when two of them read and then write; IMMEDIATE
    # takes the write lock at BEGIN, so a second writer waits (up to
    # ``timeout`` seconds) instead. WAL lets pages be read meanwhile.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache, Redis and Celery ------------------------------------------------
REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "config.cache.RedisCache",
            "LOCATION": REDIS_URL,
        }
    }
    # Sessions are read from Redis and written through to the database, so a
    # signed-in page skips the session query. Only with a cache every web
    # process shares: with a per-process cache a session could be stale.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Redis unless CELERY_BROKER_URL names another (amqp://… for RabbitMQ); an
# empty value, as a compose file passes an unset variable, is no choice.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="") or REDIS_URL or "memory://"
CELERY_BROKER_TRANSPORT = brokers.transport(CELERY_BROKER_URL)
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = "UTC"
# A task is acknowledged only once it has run, and a worker takes one message
# at a time, so a crash loses no work; tasks are written to be safe to re-run.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A worker keeps its database connections between tasks as the web keeps
# them between requests: config.celery_app closes the old and the broken
# ones around each task (CONN_MAX_AGE, CONN_HEALTH_CHECKS). Without this
# setting Celery's Django fixup closes every connection before and after
# every task, so each task connected anew (a PostgreSQL backend started per
# "call me now" dial); with it, the fixup closes a thread's connection only
# once in this many tasks.
CELERY_DB_REUSE_MAX = 1000
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Workers log through the LOGGING below (the request id, the bound ids, JSON
# in production) instead of Celery's own handler and format.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# What tasks print (the console email backend in run mode) is information.
CELERY_WORKER_REDIRECT_STDOUTS_LEVEL = "INFO"
# Phone calls have a queue of their own, so "call me now" never waits behind
# a burst of order emails: production runs a worker for each (see
# docker-compose.yml); a worker started without -Q consumes both.
CELERY_TASK_QUEUES = [Queue("celery"), Queue("calls")]
CELERY_TASK_DEFAULT_QUEUE = "celery"
CELERY_TASK_ROUTES = {"callbacks.tasks.*": {"queue": "calls"}}
# Per broker (config/brokers.py): Redis's visibility timeout must outlast the
# furthest countdown; RabbitMQ needs none and confirms what it was sent.
CELERY_BROKER_TRANSPORT_OPTIONS = brokers.transport_options(
    CELERY_BROKER_URL,
    visibility_timeout=env.int("CELERY_VISIBILITY_TIMEOUT", default=3600),
)

# --- Metrics (core.metrics, docs/operations.md) ----------------------------
# Prometheus scrapes /metrics with "Authorization: Bearer <METRICS_TOKEN>".
# Without a token the endpoint does not exist (404); run mode (dev.py), which
# listens on this machine only, serves it without one.
METRICS_TOKEN = env("METRICS_TOKEN", default="")
METRICS_WITHOUT_TOKEN = False

# --- Accounts (django-allauth) ----------------------------------------------
AUTH_USER_MODEL = "shop.User"
# Django's and allauth's, each reading the signed-in user with one plain
# statement through core.rows (shop.backends).
AUTHENTICATION_BACKENDS = [
    "shop.backends.ModelBackend",
    "shop.backends.AuthenticationBackend",
]
_VALIDATORS = "django.contrib.auth.password_validation"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": f"{_VALIDATORS}.UserAttributeSimilarityValidator"},
    {"NAME": f"{_VALIDATORS}.MinimumLengthValidator"},
    {"NAME": f"{_VALIDATORS}.CommonPasswordValidator"},
    {"NAME": f"{_VALIDATORS}.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "shop:product_list"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
# Log-in that shows a wrong password under the password, sign-up that a
# double click can't turn into a 500 (see the forms).
ACCOUNT_FORMS = {
    "login": "shop.forms.LoginForm",
    "signup": "shop.forms.SignupForm",
    "reset_password": "shop.forms.ResetPasswordForm",
}
ACCOUNT_EMAIL_VERIFICATION = env("ACCOUNT_EMAIL_VERIFICATION", default="mandatory")
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGOUT_ON_GET = False
# The shop's name and domain in every account email come from SITE_NAME and
# SITE_URL, whatever the database's Site row says; subjects name the shop
# themselves rather than wear a "[site]" prefix.
ACCOUNT_ADAPTER = "core.accounts.AccountAdapter"
ACCOUNT_EMAIL_SUBJECT_PREFIX = ""
# allauth counts attempts in the cache, which is Redis outside run mode, so
# the limits hold across every web process.
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
    "confirm_email": "1/3m/key",
}

# Staff must use a second factor (TOTP) to reach the admin.
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Hoshii"

# --- Email ------------------------------------------------------------------
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Hoshii <shop@hoshii.test>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Staff who get operational alarms by email (comma-separated addresses);
# without any, the alarms go to every active superuser.
ADMINS = [(email, email) for email in env.list("ADMINS", default=[])]

# --- Internationalisation ---------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("ja", "日本語")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env("TIME_ZONE", default="Asia/Tokyo")
USE_I18N = True
USE_TZ = True
PHONENUMBER_DEFAULT_REGION = env("PHONENUMBER_DEFAULT_REGION", default="JP")
PHONENUMBER_DB_FORMAT = "E164"

# --- Static and media files -------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
# Files served at the site's root, where browsers and crawlers look for them
# (/favicon.ico, /robots.txt), by whitenoise like the static files.
WHITENOISE_ROOT = BASE_DIR / "public"
# Product photos: the filesystem, or S3-compatible storage when
# AWS_STORAGE_BUCKET_NAME is set (config/settings/media.py, docs/photos.md).
_media = media_settings(os.environ)
MEDIA_URL = _media["media_url"]
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
# This site serves MEDIA_ROOT at MEDIA_URL itself: run mode and tests only.
SERVE_MEDIA = env.bool("SERVE_MEDIA", default=False)
# A customer's data exports (privacy.export): private files on a filesystem
# or volume that no URL serves (never under MEDIA_ROOT, which run mode serves
# at /media/); only the owner's download view reads them. Workers and web
# processes must share it (one volume in docker-compose.yml).
PRIVACY_EXPORT_ROOT = env.path("PRIVACY_EXPORT_ROOT", default=BASE_DIR / "var/exports")
if Path(PRIVACY_EXPORT_ROOT).resolve().is_relative_to(Path(MEDIA_ROOT).resolve()):
    raise ImproperlyConfigured(
        "PRIVACY_EXPORT_ROOT must not be inside MEDIA_ROOT: media is public."
    )
STORAGES = {
    "default": _media["storage"],
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
    "exports": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": PRIVACY_EXPORT_ROOT},
    },
}
# How long the link to a customer's data export works, in days; retention
# deletes the file after that.
PRIVACY_EXPORT_DAYS = env.int("PRIVACY_EXPORT_DAYS", default=7)

# --- Security ---------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Content Security Policy (django-csp): scripts, styles and images come only
# from our own origin, so an injected <script> or style="" attribute does
# nothing. Templates keep to it: no inline scripts, styles or handlers. The
# admin's own pages keep to it too (checked in a browser), so there is no
# per-path relaxation.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", *filter(None, [_media["origin"]])],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    },
}

# --- The shop ---------------------------------------------------------------
# ISO 4217 code; prices are stored as integers in its minor unit.
SHOP_CURRENCY = env("SHOP_CURRENCY", default="JPY")
# Settings whose values cached pages and fragments show (core.pagecache,
# core.fragments): part of their keys, so a changed value is never served
# the markup rendered under the old one. Core knows no app: the project names
# them.
CORE_CACHE_VARY_ON_SETTINGS = ["SHOP_CURRENCY"]
# The payment provider new payments go through (docs/payments.md): the
# built-in test provider (a hosted test page, no money moves) or
# shop.payments.StripeProvider.
SHOP_PAYMENT_PROVIDER = env(
    "SHOP_PAYMENT_PROVIDER", default="shop.payments.TestPaymentProvider"
)
# How long an order waits for its payment, holding its stock, before the
# payment page closes and the order is cancelled (Stripe allows 30 to 1440).
SHOP_PAYMENT_MINUTES = env.int("SHOP_PAYMENT_MINUTES", default=30)
# How long orders, payments and refunds are kept for the books after an
# account is closed (stripped of what identifies the person): Japan's
# Corporation Tax Act has books and records kept for 7 years.
SHOP_BOOKKEEPING_YEARS = env.int("SHOP_BOOKKEEPING_YEARS", default=7)
# Where the test provider posts its signed events: our own webhook endpoint,
# as a Stripe account's endpoint would be. Empty: it sends none.
SHOP_TEST_PROVIDER_WEBHOOK_URL = env(
    "SHOP_TEST_PROVIDER_WEBHOOK_URL", default=SITE_URL + "/payments/test/webhook/"
)
# The secret the test provider signs them with; made from SECRET_KEY if empty.
SHOP_TEST_PROVIDER_WEBHOOK_SECRET = env("SHOP_TEST_PROVIDER_WEBHOOK_SECRET", default="")
# Stripe (docs/payments.md): the secret API key, the webhook endpoint's
# signing secret, and where the API is (a test's fake Stripe sets it).
STRIPE_SECRET_KEY = env("STRIPE_SECRET_KEY", default="")
STRIPE_WEBHOOK_SECRET = env("STRIPE_WEBHOOK_SECRET", default="")
STRIPE_API_BASE = env("STRIPE_API_BASE", default="https://api.stripe.com")
STRIPE_MAX_NETWORK_RETRIES = env.int("STRIPE_MAX_NETWORK_RETRIES", default=2)
STRIPE_TIMEOUT_SECONDS = env.float("STRIPE_TIMEOUT_SECONDS", default=10.0)
SHOP_PRODUCTS_PER_PAGE = 24
SHOP_ORDERS_PER_PAGE = 20
# Flat shipping fee, free from a subtotal; both in the minor unit.
SHOP_SHIPPING_FEE = env.int("SHOP_SHIPPING_FEE", default=600)
SHOP_FREE_SHIPPING_FROM = env.int("SHOP_FREE_SHIPPING_FROM", default=5000)
# Days from shipping to the delivery estimate shown to the customer.
SHOP_DELIVERY_DAYS = env.int("SHOP_DELIVERY_DAYS", default=2)
# Templates other apps add to shop and list pages ("Add to list", "Buy as a
# gift"), so the shop needs to know nothing of them: the project wires them.
SHOP_PRODUCT_ACTION_TEMPLATES = ["wishlist/includes/add_to_list.html"]
SHOP_ORDER_ACTION_TEMPLATES = ["support/includes/order_help.html"]
# Sections at the top of the buyer's order page: a gift's message and the
# giver's choices. They may use `order` and the request.
SHOP_ORDER_SECTION_TEMPLATES = ["gifts/includes/order_gift.html"]
SHOP_EMPTY_CART_ACTION_TEMPLATES = ["wishlist/includes/find_a_list.html"]
# Sections other apps add under the profile form (the account page; privacy:
# download my data, close my account). They may use `user`.
SHOP_PROFILE_SECTION_TEMPLATES = ["privacy/includes/profile_data.html"]
# Item actions render inside the wish list's cached item grid (core.fragments),
# without the request: they may use `item`, `product`, `show_counts` and
# {% csrf_token %}, nothing of the visitor.
WISHLIST_ITEM_ACTION_TEMPLATES = ["gifts/includes/buy_as_gift.html"]
GIFT_ACTION_TEMPLATES = ["support/includes/gift_help.html"]
# Days after delivery a recipient may send a gift back (gifts.selectors.
# returnable_quantity); their address is removed from the order after it
# (docs/privacy.md#retention).
GIFT_RETURN_DAYS = env.int("GIFT_RETURN_DAYS", default=30)
# Days after delivery the recipient keeps the address a giver shared for a
# thank-you card; then it is removed from the gift.
GIFT_THANK_YOU_DAYS = env.int("GIFT_THANK_YOU_DAYS", default=90)
# `manage.py seed_demo` runs these, in order: each app seeds its own demo data.
DEMO_SEEDERS = [
    "shop.demo.seed",
    "wishlist.demo.seed",
    "gifts.demo.seed",
    "support.demo.seed",
]
# The most units of one product a single cart line may hold.
SHOP_MAX_LINE_QUANTITY = env.int("SHOP_MAX_LINE_QUANTITY", default=20)

# --- Support ----------------------------------------------------------------
# "Item missing from the package" is re-shipped at once, without proof, up to
# this many times per customer in 12 months and up to this value (minor unit);
# past either, an agent decides.
SUPPORT_NO_PROOF_RESHIPS_PER_YEAR = env.int(
    "SUPPORT_NO_PROOF_RESHIPS_PER_YEAR", default=3
)
SUPPORT_NO_PROOF_MAX_VALUE = env.int("SUPPORT_NO_PROOF_MAX_VALUE", default=20000)
# Damaged, defective or wrong items: the customer picks replacement or refund
# themselves up to this value; above it an agent decides.
SUPPORT_SELF_SERVICE_MAX_VALUE = env.int(
    "SUPPORT_SELF_SERVICE_MAX_VALUE", default=30000
)
# Days after shipping before "not delivered" goes to an agent.
SUPPORT_CARRIER_WINDOW_DAYS = env.int("SUPPORT_CARRIER_WINDOW_DAYS", default=5)
# Service levels (docs/support.md#service-levels), by problem, in hours from
# filing. A first response from an agent is due within the first; past it an
# unanswered case is overdue (the due time is fixed on the case at filing).
SUPPORT_FIRST_RESPONSE_HOURS = {
    "missing_item": 4,
    "not_delivered": 24,
    "damaged": 8,
    "defective": 8,
    "missing_documents": 24,
    "wrong_item": 8,
    "other": 24,
}
# The case is to be resolved within these (counted from filing, with today's
# setting: changing it moves the due time of open cases too).
SUPPORT_RESOLUTION_HOURS = {
    "missing_item": 24,
    "not_delivered": 72,
    "damaged": 48,
    "defective": 72,
    "missing_documents": 48,
    "wrong_item": 48,
    "other": 72,
}
# For a problem missing from either table.
SUPPORT_DEFAULT_FIRST_RESPONSE_HOURS = 24
SUPPORT_DEFAULT_RESOLUTION_HOURS = 72
# Days after a case is resolved or closed before the phone numbers of its
# calls are removed (docs/privacy.md#retention).
SUPPORT_CALL_NUMBER_DAYS = env.int("SUPPORT_CALL_NUMBER_DAYS", default=30)

# --- Your data (privacy) ----------------------------------------------------
# Rows each retention statement changes at most (docs/privacy.md#retention):
# short transactions and short locks, however much is due at once.
PRIVACY_RETENTION_BATCH_SIZE = env.int("PRIVACY_RETENTION_BATCH_SIZE", default=1000)

# --- Phone callbacks ------------------------------------------------------------
TWILIO_ACCOUNT_SID = env("TWILIO_ACCOUNT_SID", default="")
TWILIO_AUTH_TOKEN = env("TWILIO_AUTH_TOKEN", default="")
TWILIO_FROM_NUMBER = env("TWILIO_FROM_NUMBER", default="")
# Where the twilio library sends its REST requests; tests use a local fake.
TWILIO_API_BASE = env("TWILIO_API_BASE", default="https://api.twilio.com")
# The real Twilio when an account is configured, else the console dialer
# (run mode). Production never falls back to the console: see production.py.
CALLBACKS_DIALER = env("CALLBACKS_DIALER", default="") or (
    "callbacks.dialers.TwilioDialer"
    if TWILIO_ACCOUNT_SID
    else "callbacks.dialers.ConsoleDialer"
)
# The site's address as Twilio reaches it (https behind a proxy): webhooks
# are built from it and their signatures checked against it.
CALLBACKS_PUBLIC_BASE_URL = (
    env("CALLBACKS_PUBLIC_BASE_URL", default="") or SITE_URL
).rstrip("/")
CALLBACKS_LATER_DELAY = env.int("CALLBACKS_LATER_DELAY", default=300)
CALLBACKS_RING_TIMEOUT = env.int("CALLBACKS_RING_TIMEOUT", default=25)
# Attempts per request when nobody answers (1 + retries), and the wait between.
CALLBACKS_MAX_ATTEMPTS = env.int("CALLBACKS_MAX_ATTEMPTS", default=3)
CALLBACKS_RETRY_DELAY = env.int("CALLBACKS_RETRY_DELAY", default=120)
# Provider 429/5xx: tries, and the first backoff in seconds (doubling, jitter).
CALLBACKS_MAX_PROVIDER_TRIES = env.int("CALLBACKS_MAX_PROVIDER_TRIES", default=5)
CALLBACKS_PROVIDER_BACKOFF = env.float("CALLBACKS_PROVIDER_BACKOFF", default=2.0)
# A dial older than this without a call id is reconciled with the provider.
CALLBACKS_STUCK_AFTER = env.int("CALLBACKS_STUCK_AFTER", default=60)
# Seconds a waiting caller is left without an agent putting them through
# (nobody took them, or the agent who did hasn't answered their phone):
# then a missed pick-up, and the caller, first in line again, is told so.
CALLBACKS_PICKUP_TIMEOUT = env.int("CALLBACKS_PICKUP_TIMEOUT", default=45)
# Twilio's limit on calls started per second per account, shared by every
# worker through a token bucket in Redis.
CALLBACKS_CALLS_PER_SECOND = env.float("CALLBACKS_CALLS_PER_SECOND", default=1.0)
CALLBACKS_CALL_BURST = env.int("CALLBACKS_CALL_BURST", default=1)
CALLBACKS_ALLOWED_COUNTRIES = env.list("CALLBACKS_ALLOWED_COUNTRIES", default=["JP"])
# Call requests per rolling hour for one customer, and for one number
# whoever asks (across all accounts).
CALLBACKS_MAX_PER_HOUR = env.int("CALLBACKS_MAX_PER_HOUR", default=3)
# Call requests per rolling hour for the whole shop; past it new requests are
# refused and staff get an alarm (admin banner, a CallAlarm row, one email).
CALLBACKS_SHOP_MAX_PER_HOUR = env.int("CALLBACKS_SHOP_MAX_PER_HOUR", default=200)
# Opening hours of the phone line, local time, and ISO weekdays (1 = Monday).
CALLBACKS_HOURS = env("CALLBACKS_HOURS", default="09:00-21:00")
CALLBACKS_DAYS = [
    int(d)
    for d in env.list("CALLBACKS_DAYS", default=["1", "2", "3", "4", "5", "6", "7"])
]
CELERY_BEAT_SCHEDULE = {
    # Account closures a crash or a provider left half done finish here.
    "finish-pending-closures": {
        "task": "privacy.tasks.finish_pending_closures",
        "schedule": 300.0,
    },
    "sweep-callbacks": {"task": "callbacks.tasks.sweep_callbacks", "schedule": 30.0},
    # Each order asks for its own send; this catches one that could not.
    "send-order-confirmations": {
        "task": "shop.tasks.send_order_confirmations",
        "schedule": 10.0,
    },
    # Orders whose payment never settled (a webhook lost): ask the provider.
    "settle-stale-payments": {
        "task": "shop.tasks.settle_stale_payments",
        "schedule": 300.0,
    },
    # The test provider closes its unpaid pages on time, as Stripe does.
    "expire-test-provider-sessions": {
        "task": "shop.tasks.expire_test_provider_sessions",
        "schedule": 60.0,
    },
    # Personal data past its retention window (docs/privacy.md#retention):
    # once a day, at 03:17 in Japan (beat keeps UTC).
    "purge-expired-personal-data": {
        "task": "privacy.retention_tasks.purge_expired_personal_data",
        "schedule": crontab(hour=18, minute=17),
    },
}

# --- Logging ----------------------------------------------------------------
# Every line carries the id of the request or task it came from and the ids
# bound for the work in hand (core.logs): readable text by default, one JSON
# object per line with LOG_FORMAT=json (production's default).
# The incoming header whose request id is taken when well formed (set by the
# proxy); empty: every request gets a new id.
REQUEST_ID_HEADER = env("REQUEST_ID_HEADER", default="X-Request-ID")
LOG_FORMAT = env("LOG_FORMAT", default="text")
if LOG_FORMAT not in ("text", "json"):
    raise ImproperlyConfigured("LOG_FORMAT is either text or json.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "text": {"()": "core.logs.TextFormatter"},
        "json": {"()": "core.logs.JsonFormatter"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT}
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    # twilio logs every request's headers at INFO: ten lines a call, and our
    # own log already says which call was placed.
    "loggers": {"twilio.http_client": {"level": "WARNING"}},
}
