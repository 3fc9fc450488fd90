"""The Celery application; configured from Django settings under ``CELERY_``."""

import os

from celery import Celery, signals

from core import logs

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

app = Celery("hoshii")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# A task's log lines carry the id of the request (or task) that queued it.
signals.before_task_publish.connect(logs.add_request_id_to_headers, weak=False)
signals.task_prerun.connect(logs.restore_request_id, weak=False)
signals.task_postrun.connect(logs.forget_request_id, weak=False)
