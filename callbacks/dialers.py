"""Dialer backends, chosen by ``CALLBACKS_DIALER`` like Django's email backends.

- ``TwilioDialer`` places real calls with the ``twilio`` library.
- ``ConsoleDialer`` (run mode) prints the call and plays Twilio's status
  sequence back through the same status handling (and a pretend agent who
  answers "Connect me"), so the lifecycle can be watched in the browser and
  the admin.
- ``LocmemDialer`` (tests) keeps calls in memory for assertions.
"""

import json
import logging
import os
import secrets
import threading
from dataclasses import dataclass
from typing import Protocol
from urllib.parse import urlencode, urlsplit, urlunsplit

import requests
import urllib3
from celery import current_app
from django.conf import settings
from django.utils.module_loading import import_string
from twilio.base.exceptions import TwilioRestException
from twilio.http import HttpClient
from twilio.http.response import Response
from twilio.rest import Client

from callbacks.exceptions import ProviderError
from core.http import pool_for

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ProviderCall:
    sid: str
    status: str


class Dialer(Protocol):
    def place_call(
        self, *, to: str, reference: str, answer_url: str, status_url: str
    ) -> str:
        """Start a call; return the provider's call id. Raises ``ProviderError``."""

    def find_call(self, *, to: str, reference: str, since) -> ProviderCall | None:
        """The provider's call for this request, if one was placed."""

    def call_agent(self, *, to: str, connect_url: str, status_url: str) -> str:
        """Ring an agent's phone and run ``connect_url``'s TwiML when answered;
        the leg's end is reported to ``status_url``."""

    def redirect_call(self, *, call_sid: str, url: str) -> None:
        """Make a live call run ``url``'s TwiML now (which takes it out of a
        queue). Raises ``ProviderError`` if the call is no longer live."""


_per_thread = threading.local()


def get_dialer() -> Dialer:
    """This thread's dialer for the current settings.

    Kept per thread so the Twilio backend reuses its HTTPS connection (a new
    TLS handshake to Twilio costs more than the request itself); rebuilt
    whenever the settings it was made from change. It holds connections,
    never data.
    """
    key = (
        settings.CALLBACKS_DIALER,
        settings.TWILIO_API_BASE,
        settings.TWILIO_ACCOUNT_SID,
        settings.TWILIO_AUTH_TOKEN,
    )
    if getattr(_per_thread, "key", None) != key:
        _per_thread.dialer = import_string(settings.CALLBACKS_DIALER)()
        _per_thread.key = key
    return _per_thread.dialer


# --- Twilio -------------------------------------------------------------------


class RebasedHttpClient(HttpClient):
    """The twilio library's requests, sent to ``base_url`` instead of
    Twilio's host, through ``urllib3``'s connection pool directly.

    Production leaves the base at https://api.twilio.com; tests point it at
    the local fake Twilio. Rewriting the whole host means TWILIO_EDGE or
    TWILIO_REGION can never send a request anywhere else.

    The library's default client goes through ``requests``, which spent
    more of a call's CPU than the sending itself: it looks through the whole
    environment for proxy settings and merges its session's settings on
    every call, and the library formats its log lines (headers included)
    even when they are not logged. Every request goes to the one base, so
    ``HTTPS_PROXY``/``HTTP_PROXY``/``NO_PROXY`` and a CA bundle named by
    ``REQUESTS_CA_BUNDLE`` are read once, when the client is made, as
    ``requests`` would read them. The pool keeps its connections alive
    (thread-safe, a dropped one noticed before reuse); nothing is retried
    here: a failure is the dialer's ``ProviderError``, and the row decides.
    """

    def __init__(self, base_url: str, *, timeout: float) -> None:
        super().__init__(logging.getLogger("twilio.http_client"), False, timeout)
        self.base = urlsplit(base_url)
        self.pool = pool_for(
            base_url,
            ca_certs=os.environ.get("REQUESTS_CA_BUNDLE")
            or os.environ.get("CURL_CA_BUNDLE")
            or requests.certs.where(),
        )

    def request(
        self,
        method,
        url,
        params=None,
        data=None,
        headers=None,
        auth=None,
        timeout=None,
        allow_redirects=False,
    ) -> Response:
        parts = urlsplit(url)
        query = "&".join(q for q in (parts.query, urlencode(params or {}, True)) if q)
        url = urlunsplit(
            (self.base.scheme, self.base.netloc, parts.path, query, parts.fragment)
        )
        headers = dict(headers or {})
        if auth:
            headers["Authorization"] = urllib3.util.make_headers(
                basic_auth=":".join(auth)
            )["authorization"]
        body = None
        if data:
            if headers.get("Content-Type", "").endswith("json"):
                body = json.dumps(data).encode()
            else:
                headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
                body = urlencode(data, True)
        timeout = self.timeout if timeout is None else timeout
        response = self.pool.request(
            method.upper(),
            url,
            body=body,
            headers=headers,
            timeout=urllib3.Timeout(connect=timeout, read=timeout),
            retries=False,
            redirect=allow_redirects,
        )
        charset = response.headers.get("Content-Type", "").partition("charset=")[2]
        text = response.data.decode(charset.split(";")[0].strip() or "utf-8", "replace")
        return Response(response.status, text, response.headers)


def _provider_error(error: Exception) -> ProviderError:
    if isinstance(error, TwilioRestException):
        retryable = error.status == 429 or error.status >= 500
        return ProviderError(str(error.msg), retryable=retryable, code=error.code)
    return ProviderError(str(error), retryable=True)


class TwilioDialer:
    def __init__(self) -> None:
        self.client = Client(
            settings.TWILIO_ACCOUNT_SID,
            settings.TWILIO_AUTH_TOKEN,
            http_client=RebasedHttpClient(settings.TWILIO_API_BASE, timeout=10),
            # A non-empty mapping, so the library never reads TWILIO_EDGE or
            # TWILIO_REGION from the process environment.
            environment={"HOSHII": "1"},
        )

    def _create_call(self, *, to, url, status_url, **options) -> str:
        """Ring ``to`` from our number: Twilio fetches what to say from
        ``url`` and posts the call's progress to ``status_url``."""
        try:
            call = self.client.calls.create(
                to=to,
                from_=settings.TWILIO_FROM_NUMBER,
                url=url,
                method="POST",
                status_callback=status_url,
                status_callback_method="POST",
                timeout=settings.CALLBACKS_RING_TIMEOUT,
                **options,
            )
        except Exception as error:
            raise _provider_error(error) from error
        return call.sid

    def place_call(self, *, to, reference, answer_url, status_url) -> str:
        return self._create_call(
            to=to,
            url=answer_url,
            status_url=status_url,
            status_callback_event=["initiated", "ringing", "answered", "completed"],
            machine_detection="Enable",
        )

    def find_call(self, *, to, reference, since) -> ProviderCall | None:
        try:
            calls = self.client.calls.list(
                to=to,
                from_=settings.TWILIO_FROM_NUMBER,
                start_time_after=since,
                limit=20,
            )
        except Exception as error:
            raise _provider_error(error) from error
        # Twilio keeps no reference of ours on a call: the one we placed is
        # the earliest from our number to theirs since dialling began.
        calls.sort(key=lambda c: c.date_created or since)
        return ProviderCall(sid=calls[0].sid, status=calls[0].status) if calls else None

    def call_agent(self, *, to, connect_url, status_url) -> str:
        return self._create_call(
            to=to,
            url=connect_url,
            status_url=status_url,
            status_callback_event=["completed"],
        )

    def redirect_call(self, *, call_sid, url) -> None:
        # Twilio's "modify a live call": POST /Calls/{sid} with a new Url.
        try:
            self.client.calls(call_sid).update(url=url, method="POST")
        except Exception as error:
            raise _provider_error(error) from error


# --- Console (run mode) ---------------------------------------------------------

# Twilio's usual sequence for an answered call, with seconds after dialling.
# The caller then waits in the queue until an agent is put through to them;
# one nobody takes gives up after ``CONSOLE_PATIENCE``.
CONSOLE_SEQUENCE = [
    (1, "initiated"),
    (3, "ringing"),
    (7, "in-progress"),
]
CONSOLE_PATIENCE = 600
# The pretend agent answers "Connect me"'s ring after this many seconds, and
# the pretend conversation lasts ``CONSOLE_CONVERSATION`` once put through.
CONSOLE_AGENT_ANSWERS = 3
CONSOLE_CONVERSATION = 60
CONSOLE_STATUS_TASK = "callbacks.tasks.play_console_status"
CONSOLE_AGENT_TASK = "callbacks.tasks.play_console_agent"


def _reference_in(url: str) -> str:
    """The call's reference at the end of one of our webhook URLs."""
    return urlsplit(url).path.rstrip("/").rsplit("/", 1)[-1]


class ConsoleDialer:
    """Run mode: nothing leaves the machine, and the call's life plays out
    through the same services Twilio's webhooks reach: the customer answers
    and waits in the queue (missed pick-ups included); "Connect me" rings a
    pretend agent who answers and is put through; the call ends a minute
    later, or when a caller nobody takes gives up."""

    def place_call(self, *, to, reference, answer_url, status_url) -> str:
        sid = f"CA{secrets.token_hex(16)}"
        logger.warning("Console dialer: calling %s for %s (%s)", to, reference, sid)
        # As Twilio reaches us by URL, the console reaches us through the
        # broker by task name: a dialer knows no services and no tasks.
        for seconds, status in [*CONSOLE_SEQUENCE, (CONSOLE_PATIENCE, "completed")]:
            self._status(reference, sid, status, seconds)
        return sid

    @staticmethod
    def _status(reference: str, sid: str, status: str, seconds: int) -> None:
        current_app.send_task(
            CONSOLE_STATUS_TASK,
            kwargs={"reference": reference, "call_sid": sid, "status": status},
            countdown=seconds,
        )

    def find_call(self, *, to, reference, since) -> ProviderCall | None:
        return None  # nothing left the machine: safe to dial again

    def call_agent(self, *, to, connect_url, status_url) -> str:
        sid = f"CA{secrets.token_hex(16)}"
        logger.warning("Console dialer: ringing agent %s (%s)", to, connect_url)
        current_app.send_task(
            CONSOLE_AGENT_TASK,
            kwargs={"reference": _reference_in(connect_url), "agent_call_sid": sid},
            countdown=CONSOLE_AGENT_ANSWERS,
        )
        return sid

    def redirect_call(self, *, call_sid, url) -> None:
        logger.warning("Console dialer: redirecting %s (%s)", call_sid, url)
        if "/join/" in urlsplit(url).path:
            # Put through: the pretend conversation ends after a while.
            self._status(
                _reference_in(url), call_sid, "completed", CONSOLE_CONVERSATION
            )


# --- Locmem (tests) -------------------------------------------------------------


class LocmemDialer:
    """Calls recorded in memory, for tests that don't need HTTP."""

    calls: list[dict] = []
    fail_with: ProviderError | None = None

    def place_call(self, *, to, reference, answer_url, status_url) -> str:
        if LocmemDialer.fail_with is not None:
            raise LocmemDialer.fail_with
        sid = f"CA{secrets.token_hex(16)}"
        LocmemDialer.calls.append(
            {"sid": sid, "to": to, "reference": reference, "answer_url": answer_url,
             "status_url": status_url}
        )  # fmt: skip
        return sid

    def find_call(self, *, to, reference, since) -> ProviderCall | None:
        for call in LocmemDialer.calls:
            if call["reference"] == reference:
                return ProviderCall(sid=call["sid"], status="queued")
        return None

    def call_agent(self, *, to, connect_url, status_url) -> str:
        if LocmemDialer.fail_with is not None:
            raise LocmemDialer.fail_with
        sid = f"CA{secrets.token_hex(16)}"
        LocmemDialer.calls.append(
            {"sid": sid, "to": to, "connect_url": connect_url,
             "status_url": status_url}
        )  # fmt: skip
        return sid

    def redirect_call(self, *, call_sid, url) -> None:
        LocmemDialer.calls.append({"sid": call_sid, "redirect_url": url})
