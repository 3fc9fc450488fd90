"""Celery's transport options follow the broker it runs on."""

import os
import subprocess
import sys
from pathlib import Path

from config.brokers import is_rabbitmq, transport_options

ROOT = Path(__file__).resolve().parents[2]


def test_redis_redelivers_after_a_visibility_timeout_rabbitmq_needs_none():
    assert transport_options("redis://h:6379/0", visibility_timeout=900) == {
        "visibility_timeout": 900
    }
    for url in ["amqp://u:p@h:5672//", "amqps://h/shop", "pyamqp://h//"]:
        assert is_rabbitmq(url)
        assert transport_options(url, visibility_timeout=900) == {
            "confirm_publish": True
        }


def test_the_settings_choose_by_celery_broker_url():
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "CELERY_BROKER_URL": "amqp://guest:guest@127.0.0.1:5672//",
    }
    done = subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); "
         "from config.celery_app import app; c = app.conf; "
         "print(c.broker_url, c.broker_transport_options, c.task_acks_late, "
         "c.task_reject_on_worker_lost, c.worker_prefetch_multiplier)"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    assert done.stdout.split() == [
        "amqp://guest:guest@127.0.0.1:5672//",
        "{'confirm_publish':",
        "True}",
        "True",
        "True",
        "1",
    ]


def test_an_empty_celery_broker_url_means_redis():
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "CELERY_BROKER_URL": "",
        "REDIS_URL": "redis://127.0.0.1:6379/15",
    }
    done = subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); "
         "from django.conf import settings; print(settings.CELERY_BROKER_URL)"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    assert done.stdout.strip() == "redis://127.0.0.1:6379/15"
