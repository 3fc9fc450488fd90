"""The test suite: the real PostgreSQL and Redis on this machine."""

import os

os.environ.setdefault("SECRET_KEY", "test-only-key")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/hoshii")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/15")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")

from .base import *

DEBUG = False
# Photos are written under a fresh directory per test (tests/conftest.py);
# the browser tests' live server serves MEDIA_ROOT itself, as Django's does.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Tasks run in-process unless a test starts a real worker on purpose.
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
STORAGES["staticfiles"] = {
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
}
# Rate limits are tested on purpose where they matter; elsewhere they would
# make unrelated tests depend on each other.
ACCOUNT_RATE_LIMITS = False
# Serve static files from the app folders, as runserver does, without
# needing collectstatic before a test run.
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True

# Phone calls: in memory unless a test points the real twilio library at the
# local fake Twilio; the line is open all day so tests don't depend on the clock.
# (A worker process started by a test reads its dialer from the environment.)
CALLBACKS_DIALER = env("CALLBACKS_DIALER", default="callbacks.dialers.LocmemDialer")
TWILIO_ACCOUNT_SID = "AC" + "0" * 32
TWILIO_AUTH_TOKEN = "test-auth-token"  # noqa: S105
TWILIO_FROM_NUMBER = "+815012345678"
CALLBACKS_PUBLIC_BASE_URL = "http://testserver"
CALLBACKS_HOURS = "00:00-24:00"
# Tests that are about the call rate set it themselves.
CALLBACKS_CALLS_PER_SECOND = 1000.0
CALLBACKS_CALL_BURST = 1000

# Payments: the test provider sends its events only where a test serves the
# webhook endpoint (a live server) and says so.
SHOP_TEST_PROVIDER_WEBHOOK_URL = ""
