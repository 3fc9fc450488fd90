"""The Celery application; configured from Django settings under ``CELERY_``."""

import os

from celery import Celery
from celery.signals import worker_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

app = Celery("hoshii")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# privacy keeps its scheduled retention task apart from its export tasks.
app.autodiscover_tasks(related_name="retention_tasks")


@worker_init.connect
def _clean_metrics_files(**kwargs) -> None:
    """A worker starting drops the Prometheus files its host's dead
    processes left (core.metrics), before its pool writes any."""
    from core.metrics import clean_process_files

    clean_process_files()
