"""Error reporting to Sentry, with the customers' personal data taken out
before an event leaves the process.

Sentry's own ``send_default_pii=False`` keeps out cookies, users and IP
addresses, but not what our code holds: an exception's local variables (a
``number``, an ``address``), a form's fields, a Twilio webhook's body (the
caller's number), a message that quotes a postal code. ``scrub_event`` and
``scrub_breadcrumb`` remove them by name and by shape:

- request bodies, query strings and cookies are dropped whole;
- any value under a key that names personal data (address, line1,
  postal_code, phone, number, email, name…) is replaced;
- phone numbers (E.164 ``+81…`` and Japanese ``090-1234-5678`` /
  ``0312345678``), Japanese postal codes (``123-4567``, ``〒1234567``),
  Japanese street addresses (``渋谷区神南1-2-3``) and email addresses are
  replaced wherever they appear in text. (An address written the Western
  way, "1 Main Street", has no shape to find: it is caught by its key only.)
"""

import re
from collections.abc import Callable
from typing import Any

FILTERED = "[Filtered]"

# Keys whose values are personal data or secrets, matched as substrings of
# the key in lower case ("shipping_address", "recipient_phone", "To").
SENSITIVE_KEYS = (
    "address",
    "line1",
    "line2",
    "street",
    "city",
    "postal",
    "postcode",
    "zip",
    "phone",
    "number",
    "email",
    "full_name",
    "first_name",
    "last_name",
    "display_name",
    "recipient",
    "password",
    "secret",
    "token",
    "api_key",
    "authorization",
    "cookie",
    "session",
    "csrf",
    "signature",
)
# Twilio's parameters that hold the caller's or callee's number.
SENSITIVE_EXACT_KEYS = {"to", "from", "called", "caller", "forwardedfrom"}

_TEXT_PATTERNS = [
    # E.164: a plus, then 8 to 15 digits, spaces or dashes allowed between.
    re.compile(r"(?<![\w+])\+[1-9](?:[ -]?\d){7,14}(?!\w)"),
    # Japanese numbers written the domestic way: 0 then 9 or 10 digits,
    # with or without dashes (03-1234-5678, 090-1234-5678, 0312345678).
    re.compile(r"(?<![\w-])0\d{1,4}-\d{1,4}-\d{3,4}(?![\w-])"),
    re.compile(r"(?<!\w)0\d{9,10}(?!\w)"),
    # Japanese postal codes: 123-4567, 〒1234567, 〒 123-4567.
    re.compile(r"〒\s*\d{3}-?\d{4}"),
    re.compile(r"(?<![\w-])\d{3}-\d{4}(?![\w-])"),
    # Japanese street addresses: a place (…都, …区, …町) and then its
    # block numbers (神南1-2-3, 1丁目2番3号).
    re.compile(
        r"[^\s,、。()（）]*[都道府県市区町村郡]"
        r"[^\s,、。()（）]*?\d+(?:[-－ー丁目番地号の]+\d*)+[^\s,、。()（）]*"
    ),
    # Email addresses.
    re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"),
]
# Parts of an event that carry what our code and its users wrote; the rest
# (ids, timestamps, SDK and platform facts) is left as it is.
_SCRUBBED_PARTS = (
    "message",
    "logentry",
    "exception",
    "threads",
    "extra",
    "contexts",
    "request",
    "breadcrumbs",
    "tags",
)


def scrub_text(text: str) -> str:
    for pattern in _TEXT_PATTERNS:
        text = pattern.sub(FILTERED, text)
    return text


def _is_sensitive(key: object) -> bool:
    if not isinstance(key, str):
        return False
    lowered = key.lower()
    return lowered in SENSITIVE_EXACT_KEYS or any(
        word in lowered for word in SENSITIVE_KEYS
    )


def _scrub(value: Any) -> Any:
    if isinstance(value, str):
        return scrub_text(value)
    if isinstance(value, dict):
        return {
            key: FILTERED if _is_sensitive(key) else _scrub(item)
            for key, item in value.items()
        }
    if isinstance(value, list | tuple):
        return [_scrub(item) for item in value]
    return value


def scrub_event(event: dict, hint: dict | None = None) -> dict:
    """Sentry's ``before_send``: the event without personal data."""
    request = event.get("request")
    if isinstance(request, dict):
        for part in ("data", "query_string", "cookies"):
            if request.get(part):
                request[part] = FILTERED
        if isinstance(request.get("url"), str):
            request["url"] = request["url"].split("?", 1)[0]
    for part in _SCRUBBED_PARTS:
        if part in event:
            event[part] = _scrub_part(part, event[part])
    user = event.get("user")
    if isinstance(user, dict):
        event["user"] = {key: user[key] for key in ("id",) if key in user}
    return event


def _scrub_part(part: str, value: Any) -> Any:
    if part == "exception" and isinstance(value, dict):
        # Frames keep their file, function and line: only what varies with
        # the data (values and local variables) is scrubbed.
        return {
            **value,
            "values": [_scrub_exception(v) for v in value.get("values", [])],
        }
    if part == "threads" and isinstance(value, dict):
        return {
            **value,
            "values": [_scrub_exception(v) for v in value.get("values", [])],
        }
    return _scrub(value)


def _scrub_exception(exception: Any) -> Any:
    if not isinstance(exception, dict):
        return exception
    exception = dict(exception)
    if isinstance(exception.get("value"), str):
        exception["value"] = scrub_text(exception["value"])
    stacktrace = exception.get("stacktrace")
    if isinstance(stacktrace, dict):
        frames = []
        for frame in stacktrace.get("frames", []):
            frame = dict(frame)
            if "vars" in frame:
                frame["vars"] = _scrub(frame["vars"])
            frames.append(frame)
        exception["stacktrace"] = {**stacktrace, "frames": frames}
    return exception


def scrub_breadcrumb(crumb: dict, hint: dict | None = None) -> dict:
    """Sentry's ``before_breadcrumb``: a log line, a query or an HTTP call
    remembered for the next event, without personal data."""
    return _scrub(crumb)


def init_sentry(
    *,
    dsn: str,
    environment: str,
    traces_sample_rate: float = 0.0,
    release: str | None = None,
    transport: Callable | type | None = None,
) -> None:
    """Report errors of the web processes and workers to Sentry (Django and
    Celery integrations; log lines at ERROR become events), never with
    personal data. ``transport`` is for tests."""
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration

    options = {}
    if transport is not None:
        options["transport"] = transport
    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        release=release,
        traces_sample_rate=traces_sample_rate,
        send_default_pii=False,
        before_send=scrub_event,
        before_breadcrumb=scrub_breadcrumb,
        integrations=[DjangoIntegration(), CeleryIntegration()],
        **options,
    )
