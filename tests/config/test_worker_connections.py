"""A worker keeps its database connection from task to task, as the web
keeps it from request to request, and drops one that is too old."""

import time

import pytest
from celery.fixups.django import DjangoWorkerFixup
from django.db import connection

from callbacks.tasks import dial_callback
from config.celery_app import app, close_old_connections_around_task

pytestmark = pytest.mark.django_db(transaction=True)


def run_task_signals(task):
    """What a worker does around a task: Celery's Django fixup (as the
    worker installs it, with our settings) and our own handler, before and
    after."""
    fixup = DjangoWorkerFixup(app)
    fixup.on_task_prerun(sender=task)
    close_old_connections_around_task(task=task)
    fixup.on_task_postrun(sender=task)
    close_old_connections_around_task(task=task)


@pytest.fixture
def worker_task():
    dial_callback.push_request(is_eager=False)
    yield dial_callback
    dial_callback.pop_request()


def test_the_connection_is_kept_between_tasks(worker_task):
    connection.ensure_connection()
    opened = connection.connection
    for _ in range(3):
        run_task_signals(worker_task)
    assert connection.connection is opened


def test_a_connection_past_its_age_is_closed(worker_task):
    connection.ensure_connection()
    connection.close_at = time.monotonic() - 1
    run_task_signals(worker_task)
    assert connection.connection is None


def test_an_eager_task_leaves_its_callers_connection_alone():
    connection.ensure_connection()
    connection.close_at = time.monotonic() - 1
    opened = connection.connection
    dial_callback.push_request(is_eager=True)
    try:
        close_old_connections_around_task(task=dial_callback)
    finally:
        dial_callback.pop_request()
    assert connection.connection is opened
