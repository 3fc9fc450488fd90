"""A local fake of the part of Twilio's REST API we use, for the real
``twilio`` library to talk HTTP to.

It speaks Calls create, list and update (redirecting a live call to new
TwiML, refused with 21220 once the call has ended) with Basic auth and
realistic JSON and error bodies, records every request, fails on demand
(500, 503, 429, 21211), and posts status callbacks and TwiML requests to our
webhooks signed the way Twilio signs them.
"""

import base64
import itertools
import json
import threading
import time
import urllib.parse
import urllib.request
from datetime import UTC, datetime
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from twilio.request_validator import RequestValidator

ERRORS = {
    429: (20429, "Too Many Requests"),
    500: (20500, "Internal Server Error"),
    503: (20503, "Service Unavailable"),
    21211: (21211, "The 'To' number is not a valid phone number."),
    21220: (21220, "Call is not in-progress. Cannot redirect."),
}
LIVE = ("queued", "initiated", "ringing", "in-progress")


class FakeTwilio:
    def __init__(self, account_sid: str, auth_token: str) -> None:
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.calls: dict[str, dict] = {}
        self.requests: list[dict] = []
        self.failures: list[int] = []
        # Seconds to stall after recording a created call, before answering:
        # long enough to kill the caller while it waits.
        self.create_delay = 0.0
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> "FakeTwilio":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def fail_next(self, *codes: int) -> None:
        """The next create requests fail with these HTTP statuses or codes."""
        self.failures.extend(codes)

    @property
    def created(self) -> list[dict]:
        return [
            r
            for r in self.requests
            if r["method"] == "POST" and r["path"].endswith("/Calls.json")
        ]

    @property
    def redirected(self) -> list[dict]:
        """Live-call updates: each with the call id and the new TwiML URL."""
        return [
            {"sid": r["path"].rsplit("/", 1)[-1].removesuffix(".json"), **r["params"]}
            for r in self.requests
            if r["method"] == "POST" and not r["path"].endswith("/Calls.json")
        ]

    def fetch_twiml(self, sid: str, url: str | None = None, **extra: str):
        """Twilio asking a call's TwiML URL (on answer, or after a redirect):
        returns (status, body)."""
        call = self.calls[sid]
        params = {
            "AccountSid": self.account_sid,
            "CallSid": sid,
            "CallStatus": call["status"],
            "To": call["to"],
            "From": call["from"],
            "Direction": "outbound-api",
            **extra,
        }
        return self.post_signed(url or call["url"], params, body=True)

    # --- status callbacks, as Twilio sends them -----------------------------

    def send_status(self, sid: str, status: str, **extra: str) -> int:
        call = self.calls[sid]
        call["status"] = status
        params = {
            "AccountSid": self.account_sid,
            "CallSid": sid,
            "CallStatus": status,
            "To": call["to"],
            "From": call["from"],
            "Direction": "outbound-api",
            "ApiVersion": "2010-04-01",
            **extra,
        }
        return self.post_signed(call["status_callback"], params)

    def post_signed(
        self, url: str, params: dict, *, signature: str | None = None, body=False
    ):
        if signature is None:
            signature = RequestValidator(self.auth_token).compute_signature(url, params)
        request = urllib.request.Request(  # noqa: S310 (loopback only)
            url,
            data=urllib.parse.urlencode(params).encode(),
            headers={"X-Twilio-Signature": signature},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
                if body:
                    return response.status, response.read().decode()
                return response.status
        except urllib.error.HTTPError as error:
            return (error.code, "") if body else error.code

    # --- the HTTP side ----------------------------------------------------------

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as Twilio's API does
            # Headers and body go out as two writes: without TCP_NODELAY the
            # body waits for the client's delayed ACK, 40 ms a request.
            disable_nagle_algorithm = True

            def log_message(self, *args):  # quiet
                pass

            def _reply(self, status: int, body: dict) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _authorised(self) -> bool:
                expected = base64.b64encode(
                    f"{fake.account_sid}:{fake.auth_token}".encode()
                ).decode()
                return self.headers.get("Authorization") == f"Basic {expected}"

            def _path_ok(self) -> bool:
                path = urllib.parse.urlsplit(self.path).path
                return path == f"/2010-04-01/Accounts/{fake.account_sid}/Calls.json"

            def _updated_sid(self) -> str | None:
                """The call id of POST /Calls/{sid}.json (modify a live call)."""
                path = urllib.parse.urlsplit(self.path).path
                prefix = f"/2010-04-01/Accounts/{fake.account_sid}/Calls/"
                if path.startswith(prefix) and path.endswith(".json"):
                    return path.removeprefix(prefix).removesuffix(".json")
                return None

            def _update(self, sid: str, params: dict) -> None:
                with fake._lock:
                    call = fake.calls.get(sid)
                    if call is None:
                        return self._error(404, 20404, "Not Found")
                    if call["status"] not in LIVE:
                        return self._error(400, 21220, ERRORS[21220][1])
                    if "Url" in params:
                        call["url"] = params["Url"]
                    if params.get("Status") in ("canceled", "completed"):
                        call["status"] = params["Status"]
                    call["date_updated"] = format_datetime(datetime.now(UTC))
                self._reply(200, _public(call))

            def _error(self, status: int, code: int, message: str) -> None:
                self._reply(
                    status,
                    {
                        "code": code,
                        "message": message,
                        "more_info": f"https://www.twilio.com/docs/errors/{code}",
                        "status": status,
                    },
                )

            def do_POST(self):
                received_at = time.time()
                length = int(self.headers.get("Content-Length", 0))
                fields = urllib.parse.parse_qsl(self.rfile.read(length).decode())
                params = dict(fields)
                with fake._lock:
                    fake.requests.append(
                        {
                            "method": "POST",
                            "path": self.path,
                            "params": params,
                            "fields": fields,
                            # Which connection: the client's port.
                            "port": self.client_address[1],
                        }
                    )
                if not self._authorised():
                    return self._error(401, 20003, "Authenticate")
                sid = self._updated_sid()
                if sid is not None:
                    return self._update(sid, params)
                if not self._path_ok():
                    return self._error(404, 20404, "Not Found")
                if fake.failures:
                    failure = fake.failures.pop(0)
                    code, message = ERRORS[failure]
                    return self._error(
                        400 if failure == 21211 else failure, code, message
                    )
                to = params.get("To", "")
                if not (to.startswith("+") and to[1:].isdigit() and 8 <= len(to) <= 16):
                    return self._error(400, 21211, ERRORS[21211][1])
                sid = f"CA{next(fake._ids):032x}"
                now = datetime.now(UTC)
                call = {
                    "sid": sid,
                    "account_sid": fake.account_sid,
                    "to": to,
                    "to_formatted": to,
                    "from": params.get("From", ""),
                    "from_formatted": params.get("From", ""),
                    "status": "queued",
                    "direction": "outbound-api",
                    "api_version": "2010-04-01",
                    "date_created": format_datetime(now),
                    "date_updated": format_datetime(now),
                    "start_time": format_datetime(now),
                    "created": now,
                    "received_at": received_at,
                    "url": params.get("Url", ""),
                    "status_callback": params.get("StatusCallback", ""),
                    "uri": f"/2010-04-01/Accounts/{fake.account_sid}/Calls/{sid}.json",
                }
                with fake._lock:
                    fake.calls[sid] = call
                if fake.create_delay:
                    time.sleep(fake.create_delay)
                self._reply(201, _public(call))

            def do_GET(self):
                query = dict(
                    urllib.parse.parse_qsl(urllib.parse.urlsplit(self.path).query)
                )
                with fake._lock:
                    fake.requests.append(
                        {"method": "GET", "path": self.path, "params": query}
                    )
                if not self._authorised():
                    return self._error(401, 20003, "Authenticate")
                if not self._path_ok():
                    return self._error(404, 20404, "Not Found")
                calls = list(fake.calls.values())
                if "To" in query:
                    calls = [c for c in calls if c["to"] == query["To"]]
                if "From" in query:
                    calls = [c for c in calls if c["from"] == query["From"]]
                if "StartTime>" in query:
                    since = datetime.fromisoformat(query["StartTime>"]).replace(
                        tzinfo=UTC
                    )
                    calls = [
                        c for c in calls if c["created"] >= since.replace(microsecond=0)
                    ]
                uri = f"/2010-04-01/Accounts/{fake.account_sid}/Calls.json"
                self._reply(
                    200,
                    {
                        "calls": [
                            {k: v for k, v in c.items() if k != "created"}
                            for c in calls
                        ],
                        "page": 0,
                        "page_size": 50,
                        "start": 0,
                        "end": len(calls),
                        "uri": uri,
                        "first_page_uri": uri,
                        "next_page_uri": None,
                        "previous_page_uri": None,
                    },
                )

        return Handler


def _public(call: dict) -> dict:
    """A call as Twilio's JSON shows it, without the fake's own bookkeeping."""
    return {k: v for k, v in call.items() if k not in ("created", "received_at")}
