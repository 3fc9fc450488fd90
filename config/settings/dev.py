"""Run mode (`make run`): one machine, no other servers needed.

SQLite, kombu's filesystem broker for Celery, email printed to the console,
email verification optional. Setting DATABASE_URL, REDIS_URL or EMAIL_URL uses
the real ones instead.
"""

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent.parent

os.environ.setdefault("DEBUG", "true")
os.environ.setdefault("SECRET_KEY", "dev-only-insecure-key-never-use-in-production")
os.environ.setdefault("DATABASE_URL", f"sqlite:///{BASE_DIR / 'var' / 'db.sqlite3'}")
os.environ.setdefault("ACCOUNT_EMAIL_VERIFICATION", "optional")
os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
# The demo phone line never closes, so "call me now" can be tried any time.
os.environ.setdefault("CALLBACKS_HOURS", "00:00-24:00")
# runserver serves the product photos under var/media (see config/urls.py).
os.environ.setdefault("MEDIA_ROOT", str(BASE_DIR / "var" / "media"))
os.environ.setdefault("SERVE_MEDIA", "true")

from .base import *  # noqa: E402
from .base import env  # noqa: E402

# /metrics answers without METRICS_TOKEN here: runserver listens on
# 127.0.0.1 only.
METRICS_WITHOUT_TOKEN = True

if not env("REDIS_URL", default="") and not env("CELERY_BROKER_URL", default=""):
    # An embedded broker: messages are files under var/celery, shared by the
    # web process and the worker on this machine.
    _broker_dir = BASE_DIR / "var" / "celery"
    for _sub in ("out", "processed", "control"):
        (_broker_dir / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = "filesystem://localhost/"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "out"),
        "data_folder_out": str(_broker_dir / "out"),
        "data_folder_processed": str(_broker_dir / "processed"),
        "control_folder": str(_broker_dir / "control"),
    }

STORAGES["staticfiles"] = {
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
}
