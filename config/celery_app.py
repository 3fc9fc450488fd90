"""The Celery application; configured from Django settings under ``CELERY_``."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

app = Celery("hoshii")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# privacy keeps its scheduled retention task apart from its export tasks.
app.autodiscover_tasks(related_name="retention_tasks")
