"""The Celery application; configured from Django settings under ``CELERY_``."""

import os

from celery import Celery, signals
from django.db import close_old_connections

from core import logs

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

app = Celery("hoshii")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# privacy keeps its scheduled retention task apart from its export tasks.
app.autodiscover_tasks(related_name="retention_tasks")

# A task's log lines carry the id of the request (or task) that queued it.
signals.before_task_publish.connect(logs.add_request_id_to_headers, weak=False)
signals.task_prerun.connect(logs.restore_request_id, weak=False)
signals.task_postrun.connect(logs.forget_request_id, weak=False)


@signals.worker_init.connect
def _clean_metrics_files(**kwargs) -> None:
    """A worker starting drops the Prometheus files its host's dead
    processes left (core.metrics), before its pool writes any."""
    from core.metrics import clean_process_files

    clean_process_files()


@signals.task_prerun.connect
@signals.task_postrun.connect
def close_old_connections_around_task(task=None, **kwargs) -> None:
    """Around each task a worker runs, what Django does around each request:
    close the connections past CONN_MAX_AGE or left unusable, keep the rest
    (CELERY_DB_REUSE_MAX in the settings keeps Celery's fixup from closing
    them all). An eager task runs inside its caller's request and
    transaction, so it is left alone."""
    if task is not None and not getattr(task.request, "is_eager", False):
        close_old_connections()
