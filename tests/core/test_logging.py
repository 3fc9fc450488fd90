"""Logs: each line carries the request id (also in the tasks a request
queued) and the ids of the call it is about; production writes JSON."""

import datetime
import io
import json
import logging
import re

import pytest
from django.utils import timezone
from phonenumber_field.phonenumber import PhoneNumber

from callbacks.models import CallbackRequest
from callbacks.tasks import sweep_callbacks
from core import logs
from core.logs import JsonFormatter, TextFormatter
from tests.callbacks.test_callbacks import post_status, refreshed
from tests.support.factories import CaseFactory, customer_asks_for_call
from tests.workers import celery_worker, wait_for

NUMBER = PhoneNumber.from_string("+819012345678")


def lines_of(caplog, prefix: str) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name.startswith(prefix)]


# --- The request id -------------------------------------------------------------


def test_every_response_carries_a_new_request_id(client):
    first = client.get("/healthz")["X-Request-ID"]
    second = client.get("/healthz")["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", first)
    assert first != second


def test_the_proxys_request_id_is_kept_when_well_formed(client):
    response = client.get("/healthz", HTTP_X_REQUEST_ID="lb-7f3a9c21d4e5")
    assert response["X-Request-ID"] == "lb-7f3a9c21d4e5"


@pytest.mark.parametrize(
    "sent", ["short", "x" * 200, "abc def ghi jkl", "abcdefgh\nforged line"]
)
def test_a_malformed_request_id_is_replaced(client, sent):
    response = client.get("/healthz", HTTP_X_REQUEST_ID=sent)
    assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"])


def test_the_header_is_ignored_when_no_proxy_is_trusted(client, settings):
    settings.REQUEST_ID_HEADER = ""
    response = client.get("/healthz", HTTP_X_REQUEST_ID="lb-7f3a9c21d4e5")
    assert response["X-Request-ID"] != "lb-7f3a9c21d4e5"


@pytest.mark.django_db
def test_lines_logged_in_a_request_carry_its_id(client, caplog):
    caplog.set_level(logging.WARNING, logger="django.request")
    response = client.get("/no-such-page/", HTTP_X_REQUEST_ID="req-0000000001")
    assert response.status_code == 404
    (line,) = lines_of(caplog, "django.request")
    assert logs.request_id_of(line) == "req-0000000001"
    text = TextFormatter().format(line)
    assert "[req-0000000001] Not Found: /no-such-page/" in text
    # ...and nothing after it: the id is the request's only.
    assert logs.current_request_id() is None


@pytest.mark.django_db
def test_an_eager_task_keeps_the_id_and_one_on_its_own_gets_a_fresh_one(caplog):
    caplog.set_level(logging.INFO)
    callback = CallbackRequest.objects.create(
        subject="returns.parcel:1",
        number=NUMBER,
        script="Hello",
        queue="returns",
        due_at=timezone.now() - datetime.timedelta(seconds=5),
    )
    with logs.request_id("req-eager-0001"):
        sweep_callbacks.delay()
    woken = [r for r in lines_of(caplog, "callbacks") if "Sweeper" in r.message]
    assert [r.request_id for r in woken] == ["req-eager-0001"]
    caplog.clear()
    CallbackRequest.objects.filter(pk=callback.pk).update(
        state="scheduled", due_at=timezone.now() - datetime.timedelta(seconds=5)
    )
    sweep_callbacks.delay()  # as beat sends it: no request behind it
    ids = {r.request_id for r in lines_of(caplog, "callbacks")}
    assert len(ids) == 1
    assert re.fullmatch(r"[0-9a-f]{32}", ids.pop())
    assert logs.current_request_id() is None


class Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def first(self, text: str) -> logging.LogRecord | None:
        return next((r for r in self.records if text in r.getMessage()), None)


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_the_id_goes_with_a_task_to_the_worker_and_on_to_the_tasks_it_queues():
    """Through Redis and a real worker: the sweep is published under a
    request's id, and the dial it queues from the worker logs it too."""
    callback = CallbackRequest.objects.create(
        subject="returns.parcel:2",
        number=NUMBER,
        script="Hello",
        queue="returns",
        due_at=timezone.now() - datetime.timedelta(seconds=5),
        log_context={"parcel_id": 2},
    )
    collect = Collect()
    with celery_worker(pool="threads", concurrency=2):
        # Added once the worker has set up logging (django.setup() again,
        # and Celery's level for the root logger).
        root = logging.getLogger()
        root.addHandler(collect)
        level, root.level = root.level, logging.INFO
        try:
            with logs.request_id("req-worker-0001"):
                sweep_callbacks.delay()
            assert wait_for(lambda: collect.first("Placed call"))
        finally:
            root.removeHandler(collect)
            root.setLevel(level)
    woken, placed = collect.first("Sweeper"), collect.first("Placed call")
    for line in (woken, placed):
        assert line.request_id == "req-worker-0001"
        assert line.log_context["callback_id"] == callback.pk
        assert line.log_context["parcel_id"] == 2
    assert refreshed(callback).state == "dialing"


# --- A call's ids -----------------------------------------------------------------


@pytest.mark.django_db
def test_every_line_of_a_support_calls_life_carries_call_case_and_order(
    client, caplog, django_capture_on_commit_callbacks, settings
):
    caplog.set_level(logging.INFO)
    settings.CALLBACKS_MAX_ATTEMPTS = 2
    case = CaseFactory()
    with django_capture_on_commit_callbacks(execute=True):
        callback = customer_asks_for_call(case, later=False, number=NUMBER)
    callback = refreshed(callback)
    with django_capture_on_commit_callbacks(execute=True):
        post_status(client, callback, "ringing")
        post_status(client, callback, "no-answer")  # the retry is booked
    CallbackRequest.objects.filter(pk=callback.pk).update(
        due_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    with django_capture_on_commit_callbacks(execute=True):
        sweep_callbacks()  # its wake-up was lost: the sweeper dials it
    callback = refreshed(callback)
    with django_capture_on_commit_callbacks(execute=True):
        post_status(client, callback, "busy")  # attempts spent: failed
    assert refreshed(callback).state == "failed"

    life = lines_of(caplog, "callbacks")
    messages = " | ".join(r.getMessage() for r in life)
    for said in ("-> scheduled", "-> dialing", "Placed call", "-> ringing"):
        assert said in messages
    assert "Sweeper: waking" in messages and "-> failed" in messages
    for line in life:
        assert line.log_context["callback_id"] == callback.pk, line.getMessage()
        assert line.log_context["callback_reference"] == callback.reference
        assert line.log_context["case_id"] == case.pk
        assert line.log_context["order_id"] == case.order_id
    assert refreshed(callback).log_context == {
        "case_id": case.pk,
        "order_id": case.order_id,
    }


def test_bound_ids_nest_and_end_with_their_block():
    with logs.bind(callback_id=1, case_id=None):
        with logs.bind(case_id=7):
            assert dict(logs.bound()) == {"callback_id": 1, "case_id": 7}
        assert dict(logs.bound()) == {"callback_id": 1}
    assert dict(logs.bound()) == {}


# --- Formats ----------------------------------------------------------------------


def _log_through(formatter: logging.Formatter, log) -> str:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(formatter)
    logger = logging.getLogger("tests.core.formats")
    logger.addHandler(handler)
    logger.propagate = False
    logger.setLevel(logging.INFO)
    try:
        log(logger)
    finally:
        logger.removeHandler(handler)
        logger.propagate = True
        logger.setLevel(logging.NOTSET)
    return stream.getvalue()


def test_json_lines_parse_and_carry_the_ids():
    def log(logger):
        with logs.request_id("req-json-0001"), logs.bind(callback_id=5, case_id=9):
            logger.info("Placed call %s for %s", "CA123", "cb_1")
            try:
                raise ValueError("boom")
            except ValueError:
                logger.exception("It failed")

    first, second = [
        json.loads(line) for line in _log_through(JsonFormatter(), log).splitlines()
    ]
    assert first["message"] == "Placed call CA123 for cb_1"
    assert first["level"] == "INFO"
    assert first["logger"] == "tests.core.formats"
    assert first["request_id"] == "req-json-0001"
    assert (first["callback_id"], first["case_id"]) == (5, 9)
    assert datetime.datetime.fromisoformat(first["time"]).tzinfo is not None
    assert second["level"] == "ERROR"
    assert "ValueError: boom" in second["exception"]


def test_text_lines_stay_readable():
    def log(logger):
        logger.info("Outside any request")
        with logs.request_id("req-text-0001"), logs.bind(callback_id=5):
            logger.info("Inside one")

    outside, inside = _log_through(TextFormatter(), log).splitlines()
    assert outside.endswith("INFO tests.core.formats [-] Outside any request")
    assert inside.endswith(
        "INFO tests.core.formats [req-text-0001] Inside one callback_id=5"
    )
