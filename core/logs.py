"""What every log line carries: the id of the request (or task) it came
from, and the ids an app bound for the work in hand (a call's, its case's).

- ``request_id``: set per web request by ``core.middleware.RequestIdMiddleware``
  and per Celery task by the signal receivers below; a task published while
  an id is set carries it in its message headers, so a task's lines (and
  those of the tasks it queues) share the id of the request that started it.
- ``bind(**ids)``: a block of work names what it is about; nested blocks add
  to it. Ids only: never names, numbers or addresses.

Both live in context variables, so threads (a threaded worker, the test
server) and nested tasks never see each other's values. A log record takes
them when it is made (``install_record_factory``), so every handler sees
them, whatever formats it: ``TextFormatter`` in run mode, ``JsonFormatter``
in production.
"""

import datetime
import json
import logging
import re
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from types import MappingProxyType

# The Celery message header that carries the request id to the worker.
TASK_HEADER = "hoshii_request_id"
# What an id from outside (a proxy's X-Request-ID, a message header) must
# look like to be taken: short, and nothing that could forge a log line.
REQUEST_ID_FORMAT = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{7,127}")

_request_id: ContextVar[str | None] = ContextVar("request_id", default=None)
_bound: ContextVar[Mapping[str, object]] = ContextVar(
    "log_bound", default=MappingProxyType({})
)


def new_request_id() -> str:
    return uuid.uuid4().hex


def valid_request_id(value: object) -> str | None:
    """``value`` if it is a well-formed request id, else None."""
    if isinstance(value, str) and REQUEST_ID_FORMAT.fullmatch(value):
        return value
    return None


def current_request_id() -> str | None:
    return _request_id.get()


@contextmanager
def request_id(value: str) -> Iterator[str]:
    """Every line logged in this block carries ``value`` as its request id."""
    token = _request_id.set(value)
    try:
        yield value
    finally:
        _request_id.reset(token)


def bound() -> Mapping[str, object]:
    """The ids bound for the work in hand."""
    return _bound.get()


@contextmanager
def bind(**ids: object) -> Iterator[None]:
    """Every line logged in this block carries ``ids`` (None values are
    left out), on top of what an outer block bound."""
    token = _bound.set(
        {**_bound.get(), **{k: v for k, v in ids.items() if v is not None}}
    )
    try:
        yield
    finally:
        _bound.reset(token)


# --- Log records -------------------------------------------------------------
_factory_installed = False


def install_record_factory() -> None:
    """Make every log record take the request id and the bound ids as it is
    created (in the thread and context that logs it). Once per process."""
    global _factory_installed
    if _factory_installed:
        return
    make_record = logging.getLogRecordFactory()

    def record_with_context(*args, **kwargs) -> logging.LogRecord:
        record = make_record(*args, **kwargs)
        record.request_id = _request_id.get()
        record.log_context = dict(_bound.get())
        return record

    logging.setLogRecordFactory(record_with_context)
    _factory_installed = True


def request_id_of(record: logging.LogRecord) -> str | None:
    """The request id of a record. Django logs a 4xx response ("Not Found:
    /x") after the middleware is done, so the id is read from the request
    the record names (``RequestIdMiddleware`` put it there)."""
    value = getattr(record, "request_id", None)
    if value is None:
        value = getattr(getattr(record, "request", None), "request_id", None)
    return value


def _context_of(record: logging.LogRecord) -> tuple[str | None, dict]:
    return request_id_of(record), getattr(record, "log_context", {})


class TextFormatter(logging.Formatter):
    """Readable lines for run mode and tests: the usual fields, the request
    id in brackets, the bound ids as ``key=value`` after the message."""

    def __init__(self, fmt=None, datefmt=None, style="%", **kwargs) -> None:
        fmt = fmt or "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"
        super().__init__(fmt, datefmt, style, **kwargs)

    def format(self, record: logging.LogRecord) -> str:
        request_id, context = _context_of(record)
        record.request_id = request_id or "-"
        line = super().format(record)
        record.request_id = request_id
        if context:
            pairs = " ".join(f"{key}={value}" for key, value in context.items())
            first, newline, rest = line.partition("\n")
            line = f"{first} {pairs}{newline}{rest}"
        return line


class JsonFormatter(logging.Formatter):
    """One JSON object per line, for a log collector: ``time`` (UTC, ISO
    8601), ``level``, ``logger``, ``message``, ``request_id``, the bound
    ids, and ``exception`` / ``stack`` when there is one. Other attributes
    passed with ``extra=`` are left out: what we log is chosen, not dumped."""

    def format(self, record: logging.LogRecord) -> str:
        request_id, context = _context_of(record)
        entry = {
            "time": datetime.datetime.fromtimestamp(record.created, datetime.UTC)
            .isoformat(timespec="milliseconds")
            .replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": request_id,
        }
        for key, value in context.items():
            entry.setdefault(key, value)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            entry["exception"] = record.exc_text
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


# --- Celery --------------------------------------------------------------------
# Connected by the Celery app (config/celery_app.py): core knows no app, and
# these work for any task.


def add_request_id_to_headers(headers=None, **kwargs) -> None:
    """``before_task_publish``: the publishing request's (or task's) id goes
    with the message."""
    value = _request_id.get()
    if value is not None and headers is not None:
        headers[TASK_HEADER] = value


def _tokens(task) -> dict:
    # One token per running task id, kept on the task's request context so
    # nested eager tasks each restore their own.
    return task.request.__dict__.setdefault("_hoshii_log_tokens", {})


def restore_request_id(task_id=None, task=None, **kwargs) -> None:
    """``task_prerun``: the task's lines carry the id it was published with;
    one published without (beat, a shell) gets a fresh id, shared with the
    tasks it queues. An eager task keeps the id of the code that ran it."""
    if task is None:
        return
    value = (
        valid_request_id(getattr(task.request, TASK_HEADER, None))
        or valid_request_id(
            (getattr(task.request, "headers", None) or {}).get(TASK_HEADER)
        )
        or _request_id.get()
        or new_request_id()
    )
    _tokens(task)[task_id] = _request_id.set(value)


def forget_request_id(task_id=None, task=None, **kwargs) -> None:
    """``task_postrun``: back to what the thread had before the task."""
    if task is None:
        return
    token = _tokens(task).pop(task_id, None)
    if token is not None:
        try:
            _request_id.reset(token)
        except ValueError:  # set in another context: nothing of ours to undo
            _request_id.set(None)
