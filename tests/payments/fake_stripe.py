"""A local fake of the part of Stripe's API that payments use, for the real
``stripe`` library to talk HTTP to (point its API base at ``base_url``).

It implements, with Stripe's JSON shapes, error bodies and status codes:

- Checkout Sessions (mode=payment, ``line_items[][price_data]``): create,
  retrieve, expire; ``pay(session_id, card=...)`` as the hosted page would,
  with Stripe's test cards (4242... succeeds, 4000000000000002 and
  4000000000009995 decline); ``expire(session_id)`` as time would.
- PaymentIntents: create (optionally ``confirm`` with ``pm_card_visa`` or
  ``pm_card_chargeDeclined``) and retrieve; charges and refunds: partial
  refunds up to what the charge has left, refused past it with
  ``amount_too_large`` or ``charge_already_refunded``.
- Bearer-key auth (401 for a wrong key) and idempotency keys, scoped per API
  key: the same key and parameters replay the saved response with
  ``Idempotent-Replayed: true``; other parameters get 400
  ``idempotency_error``; concurrent requests with one key make one object.
- Failures on demand: ``fail_next(500, 503, 429)`` answers before doing the
  work; ``stall_next(seconds)`` does the work, saves the idempotent result,
  then stalls past the client's timeout.
- Webhook events signed as Stripe signs them (``Stripe-Signature:
  t=...,v1=...``): paying, declining, expiring and refunding queue the events
  Stripe would send; ``flush`` delivers them in any order, and every delivery
  can be late, delayed, repeated or concurrent, retried on non-2xx.

It does not implement: Customers, Prices/Products by id, subscriptions,
amounts' currency minimums, API versions, list endpoints, expanding, or
validating Checkout Session parameters beyond what payments send.
"""

import copy
import hashlib
import hmac
import itertools
import json
import secrets
import string
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

DECLINES = {
    "4000000000000002": ("card_declined", "generic_decline"),
    "4000000000009995": ("card_declined", "insufficient_funds"),
}
PAYMENT_METHODS = {"pm_card_visa": "4242424242424242"}
PAYMENT_METHODS["pm_card_chargeDeclined"] = "4000000000000002"
FAILURES = {
    429: ("rate_limit", "Too many requests hit the API too quickly."),
    500: ("api_error", "An unknown error occurred."),
    503: ("api_error", "The service is temporarily unavailable."),
}
WEBHOOK_SECRET = "whsec_test_fake"
KINDS = {
    "checkout/sessions": ("cs_test_", "checkout.session"),
    "payment_intents": ("pi_", "payment_intent"),
    "charges": ("ch_", "charge"),
    "refunds": ("re_", "refund"),
}


class StripeError(Exception):
    """An error answer; ``saved`` is whether Stripe keeps it for the
    idempotency key (not for parameters that fail validation)."""

    def __init__(self, status, message, *, code=None, param=None, saved=True):
        super().__init__(message)
        self.status, self.code, self.param, self.saved = status, code, param, saved
        self.type = "invalid_request_error"
        if status == 402:
            self.type = "card_error"

    def body(self) -> dict:
        error = {"type": self.type, "message": str(self), "code": self.code}
        if self.param:
            error["param"] = self.param
        return {"error": error}


def _missing(param: str) -> StripeError:
    return StripeError(
        400,
        f"Missing required param: {param}.",
        code="parameter_missing",
        param=param,
        saved=False,
    )


class FakeStripe:
    def __init__(self, *api_keys: str, webhook_secret: str = WEBHOOK_SECRET):
        self.api_keys = api_keys or ("sk_test_fake",)
        self.api_key = self.api_keys[0]
        self.webhook_secret = webhook_secret
        self.objects: dict[str, dict] = {}
        self.requests: list[dict] = []
        self.pending: list[dict] = []  # events queued, delivered by flush()
        self.deliveries: list[dict] = []  # every webhook attempt and its status
        self.failures: list[int] = []
        self.stalls: list[float] = []
        self.retries = 3  # Stripe retries failed deliveries (for days; here fast)
        self.backoff = 0.01
        self._saved: dict[tuple[str, str], tuple[list, int, dict]] = {}
        self._key_locks: dict[tuple[str, str], threading.Lock] = {}
        self._ids = itertools.count(1)
        self._lock = threading.RLock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.thread = threading.Thread(
            target=self.server.serve_forever, args=(0.02,), daemon=True
        )

    @property
    def base_url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> "FakeStripe":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def fail_next(self, *statuses: int) -> None:
        """The next POSTs answer these statuses (500, 503, 429), doing nothing."""
        self.failures.extend(statuses)

    def stall_next(self, seconds: float, times: int = 1) -> None:
        """The next POSTs do their work and save it, then stall ``seconds``."""
        self.stalls.extend([seconds] * times)

    def of_type(self, kind: str) -> list[dict]:
        return [o for o in self.objects.values() if o["object"] == kind]

    # --- what the hosted page and the clock do ---------------------------------

    def pay(self, session_id: str, card: str = "4242424242424242") -> dict:
        """The customer pays on the hosted page: returns the session."""
        with self._lock:
            session = self.objects[session_id]
            if session["status"] != "open":
                raise ValueError(f"session {session_id} is {session['status']}")
            intent = self.objects.get(session["payment_intent"] or "")
            if intent is None:
                intent = self._new_intent(
                    session["amount_total"],
                    session["currency"],
                    session["_intent_metadata"],
                )
                session["payment_intent"] = intent["id"]
            self._confirm(intent, card)
            if intent["status"] == "succeeded":
                session.update(status="complete", payment_status="paid")
                self.queue_event("checkout.session.completed", session)
            return _public(session)

    def expire(self, session_id: str) -> dict:
        with self._lock:
            session = self.objects[session_id]
            if session["status"] != "open":
                raise StripeError(
                    400,
                    'Only Checkout Sessions with a status in ["open"] can be '
                    f"expired. This Checkout Session has a status of "
                    f'"{session["status"]}".',
                )
            session["status"] = "expired"
            intent = self.objects.get(session["payment_intent"] or "")
            if intent is not None:
                intent["status"] = "canceled"
            self.queue_event("checkout.session.expired", session)
            return _public(session)

    # --- the objects -------------------------------------------------------------

    def _new_id(self, prefix: str) -> str:
        alphabet = string.ascii_letters + string.digits
        tail = "".join(secrets.choice(alphabet) for _ in range(20))
        return f"{prefix}{next(self._ids):04d}{tail}"

    def _new_intent(self, amount: int, currency: str, metadata: dict) -> dict:
        intent = {
            "id": self._new_id("pi_"),
            "object": "payment_intent",
            "amount": amount,
            "amount_received": 0,
            "currency": currency,
            "status": "requires_payment_method",
            "latest_charge": None,
            "last_payment_error": None,
            "metadata": metadata,
            "created": int(time.time()),
            "livemode": False,
        }
        self.objects[intent["id"]] = intent
        return intent

    def _confirm(self, intent: dict, card: str) -> None:
        if card in DECLINES:
            code, decline_code = DECLINES[card]
            intent["status"] = "requires_payment_method"
            intent["last_payment_error"] = {
                "type": "card_error",
                "code": code,
                "decline_code": decline_code,
                "message": "Your card was declined.",
            }
            self.queue_event("payment_intent.payment_failed", intent)
            return
        charge = {
            "id": self._new_id("ch_"),
            "object": "charge",
            "amount": intent["amount"],
            "amount_captured": intent["amount"],
            "amount_refunded": 0,
            "refunded": False,
            "captured": True,
            "paid": True,
            "status": "succeeded",
            "currency": intent["currency"],
            "payment_intent": intent["id"],
            "payment_method_details": {"type": "card", "card": {"last4": card[-4:]}},
            "metadata": {},
            "created": int(time.time()),
            "livemode": False,
        }
        self.objects[charge["id"]] = charge
        intent.update(
            status="succeeded",
            amount_received=intent["amount"],
            latest_charge=charge["id"],
            last_payment_error=None,
        )
        self.queue_event("payment_intent.succeeded", intent)

    def _create_session(self, params: dict) -> dict:
        if params.get("mode") != "payment":
            raise StripeError(400, "Only mode=payment is faked.", param="mode")
        for name in ("success_url", "line_items"):
            if name not in params:
                raise _missing(name)
        amount, currencies = 0, set()
        for index, item in enumerate(params["line_items"]):
            price = item.get("price_data")
            if price is None:
                raise _missing(f"line_items[{index}][price_data]")
            if "unit_amount" not in price or not price["unit_amount"].isdigit():
                raise _missing(f"line_items[{index}][price_data][unit_amount]")
            amount += int(price["unit_amount"]) * int(item.get("quantity", "1"))
            currencies.add(price.get("currency", "").lower())
        if len(currencies) != 1 or "" in currencies:
            raise _missing("line_items[0][price_data][currency]")
        now = int(time.time())
        expires_at = int(params.get("expires_at", now + 24 * 3600))
        if not now + 30 * 60 <= expires_at <= now + 24 * 3600:
            raise StripeError(
                400,
                "The `expires_at` timestamp must be between 30 minutes and "
                "24 hours from Checkout Session creation.",
                param="expires_at",
                saved=False,
            )
        session_id = self._new_id("cs_test_")
        session = {
            "id": session_id,
            "object": "checkout.session",
            "mode": "payment",
            "status": "open",
            "payment_status": "unpaid",
            "amount_subtotal": amount,
            "amount_total": amount,
            "currency": currencies.pop(),
            "payment_intent": None,  # made when the customer confirms
            "client_reference_id": params.get("client_reference_id"),
            "metadata": params.get("metadata", {}),
            "success_url": params["success_url"],
            "cancel_url": params.get("cancel_url"),
            "url": f"{self.base_url}/pay/{session_id}",
            "expires_at": expires_at,
            "created": now,
            "livemode": False,
            "_intent_metadata": params.get("payment_intent_data", {}).get(
                "metadata", {}
            ),
        }
        self.objects[session_id] = session
        return session

    def _create_intent(self, params: dict) -> dict:
        for name in ("amount", "currency"):
            if name not in params:
                raise _missing(name)
        intent = self._new_intent(
            int(params["amount"]),
            params["currency"].lower(),
            params.get("metadata", {}),
        )
        if params.get("confirm") == "true":
            method = params.get("payment_method")
            if method not in PAYMENT_METHODS:
                raise _missing("payment_method")
            self._confirm(intent, PAYMENT_METHODS[method])
            if intent["status"] != "succeeded":
                error = StripeError(
                    402, "Your card was declined.", code="card_declined"
                )
                error.intent = intent
                raise error
        return intent

    def _refund(self, params: dict) -> dict:
        if "payment_intent" not in params:
            raise _missing("payment_intent")
        intent = self._get(params["payment_intent"], "payment_intent")
        charge = self.objects.get(intent["latest_charge"] or "")
        if charge is None:
            raise StripeError(
                400,
                f"This PaymentIntent ({intent['id']}) does not have a successful "
                "charge to refund.",
            )
        left = charge["amount"] - charge["amount_refunded"]
        if left == 0:
            raise StripeError(
                400,
                f"Charge {charge['id']} has already been refunded.",
                code="charge_already_refunded",
            )
        amount = int(params.get("amount", left))
        if amount > left:
            raise StripeError(
                400,
                f"Refund amount ({amount} {charge['currency']}) is greater than "
                f"unrefunded amount on charge ({left} {charge['currency']})",
                code="amount_too_large",
                param="amount",
            )
        refund = {
            "id": self._new_id("re_"),
            "object": "refund",
            "amount": amount,
            "charge": charge["id"],
            "payment_intent": intent["id"],
            "currency": charge["currency"],
            "status": "succeeded",
            "reason": params.get("reason"),
            "metadata": params.get("metadata", {}),
            "created": int(time.time()),
        }
        self.objects[refund["id"]] = refund
        charge["amount_refunded"] += amount
        charge["refunded"] = charge["amount_refunded"] == charge["amount"]
        self.queue_event("refund.created", refund)
        self.queue_event("charge.refunded", charge)
        return refund

    def _get(self, object_id: str, kind: str) -> dict:
        found = self.objects.get(object_id)
        if found is None or found["object"] != kind:
            raise StripeError(
                404,
                f"No such {kind}: '{object_id}'",
                code="resource_missing",
                param="id",
            )
        return found

    # --- webhook events ------------------------------------------------------------

    def event(self, type: str, obj: dict) -> dict:
        """An event as Stripe builds it, with a snapshot of ``obj``."""
        return {
            "id": self._new_id("evt_"),
            "object": "event",
            "api_version": "2025-01-27.acacia",
            "type": type,
            "data": {"object": _public(copy.deepcopy(obj))},
            "created": int(time.time()),
            "livemode": False,
            "pending_webhooks": 1,
            "request": {"id": None, "idempotency_key": None},
        }

    def queue_event(self, type: str, obj: dict) -> dict:
        with self._lock:
            event = self.event(type, obj)
            self.pending.append(event)
            return event

    def flush(self, to: str, *, order: list[str] | None = None, **options) -> list:
        """Deliver the queued events, those of the types in ``order`` first in
        that order, then the rest as queued; returns the final statuses."""
        with self._lock:
            events, self.pending = self.pending, []
        rank = {type: i for i, type in enumerate(order or [])}
        events.sort(key=lambda e: rank.get(e["type"], len(rank)))
        return [self.deliver(event, to, **options) for event in events]

    def send_event(self, type: str, obj: dict, to: str, **options):
        return self.deliver(self.event(type, obj), to, **options)

    def sign(self, payload: str, timestamp: int | None = None) -> str:
        """The Stripe-Signature header for ``payload``, as Stripe computes it."""
        t = int(time.time()) if timestamp is None else timestamp
        signed = f"{t}.{payload}".encode()
        v1 = hmac.new(self.webhook_secret.encode(), signed, hashlib.sha256)
        return f"t={t},v1={v1.hexdigest()}"

    def deliver(
        self,
        event: dict,
        to: str,
        *,
        late: float = 0,
        delay: float = 0,
        times: int = 1,
        concurrently: bool = False,
    ):
        """POST ``event`` to ``to``, retrying non-2xx answers like Stripe.

        ``late``: sign it that many seconds in the past; ``delay``: wait first;
        ``times``: deliver it that many times, one after the other, or all at
        the same moment with ``concurrently``. Returns the last attempt's
        status, or the list of them when ``times`` > 1.
        """
        time.sleep(delay)
        payload = json.dumps(event, indent=2)
        if not concurrently:
            statuses = [
                self._post_retrying(event, payload, to, late) for _ in range(times)
            ]
        else:
            barrier = threading.Barrier(times)
            statuses = [None] * times

            def one(i: int) -> None:
                barrier.wait()
                statuses[i] = self._post_retrying(event, payload, to, late)

            threads = [threading.Thread(target=one, args=(i,)) for i in range(times)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
        return statuses if times > 1 else statuses[0]

    def _post_retrying(self, event: dict, payload: str, to: str, late: float):
        for attempt in range(self.retries + 1):
            if attempt:
                time.sleep(self.backoff * 2 ** (attempt - 1))
            # Each attempt is signed afresh, as Stripe does.
            header = self.sign(payload, int(time.time() - late))
            request = urllib.request.Request(  # noqa: S310 (loopback only)
                to,
                data=payload.encode(),
                headers={
                    "Stripe-Signature": header,
                    "Content-Type": "application/json; charset=utf-8",
                    "User-Agent": "Stripe/1.0 (+https://stripe.com/docs/webhooks)",
                },
                method="POST",
            )
            try:
                with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
                    status = response.status
            except urllib.error.HTTPError as error:
                status = error.code
            except OSError:
                status = None
            with self._lock:
                self.deliveries.append(
                    {"event": event["id"], "attempt": attempt + 1, "status": status}
                )
            if status is not None and 200 <= status < 300:
                return status
        return status

    # --- the HTTP side -------------------------------------------------------------

    def _route_post(self, path: str, params: dict) -> dict:
        if path == "/v1/checkout/sessions":
            return self._create_session(params)
        if path.startswith("/v1/checkout/sessions/") and path.endswith("/expire"):
            session_id = path.split("/")[4]
            self._get(session_id, "checkout.session")
            return self.expire(session_id)
        if path == "/v1/payment_intents":
            return self._create_intent(params)
        if path == "/v1/refunds":
            return self._refund(params)
        raise StripeError(404, f"Unrecognized request URL (POST: {path}).")

    def _route_get(self, path: str) -> dict:
        for kind, (_, name) in KINDS.items():
            prefix = f"/v1/{kind}/"
            if path.startswith(prefix) and "/" not in path.removeprefix(prefix):
                return self._get(path.removeprefix(prefix), name)
        raise StripeError(404, f"Unrecognized request URL (GET: {path}).")

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True

            def log_message(self, *args):  # quiet
                pass

            def _reply(self, status: int, body: dict, replayed=False) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.send_header("Request-Id", fake._new_id("req_"))
                if replayed:
                    self.send_header("Idempotent-Replayed", "true")
                self.end_headers()
                self.wfile.write(data)

            def _api_key(self) -> str | None:
                header = self.headers.get("Authorization", "")
                key = header.removeprefix("Bearer ")
                return (
                    key
                    if header.startswith("Bearer ") and key in fake.api_keys
                    else None
                )

            def _unauthorised(self) -> None:
                self._reply(
                    401,
                    {
                        "error": {
                            "type": "invalid_request_error",
                            "code": None,
                            "message": "Invalid API Key provided: "
                            + self.headers.get("Authorization", "")[7:15]
                            + "****",
                        }
                    },
                )

            def do_GET(self):
                path = urllib.parse.urlsplit(self.path).path
                with fake._lock:
                    fake.requests.append({"method": "GET", "path": path, "params": {}})
                if self._api_key() is None:
                    return self._unauthorised()
                try:
                    with fake._lock:
                        found = _public(fake._route_get(path))
                except StripeError as error:
                    return self._reply(error.status, error.body())
                self._reply(200, found)

            def do_POST(self):
                path = urllib.parse.urlsplit(self.path).path
                length = int(self.headers.get("Content-Length", 0))
                pairs = urllib.parse.parse_qsl(self.rfile.read(length).decode())
                key = self.headers.get("Idempotency-Key")
                with fake._lock:
                    fake.requests.append(
                        {
                            "method": "POST",
                            "path": path,
                            "params": dict(pairs),
                            "key": key,
                        }
                    )
                api_key = self._api_key()
                if api_key is None:
                    return self._unauthorised()
                with fake._lock:
                    failure = fake.failures.pop(0) if fake.failures else None
                if failure is not None:
                    code, message = FAILURES[failure]
                    body = {"error": {"type": code, "message": message}}
                    return self._reply(failure, body)
                if key is None:
                    status, body, _ = self._execute(path, pairs)
                    return self._answer(status, body)
                scope = (api_key, key)
                with fake._lock:
                    key_lock = fake._key_locks.setdefault(scope, threading.Lock())
                with key_lock:  # a concurrent twin waits, then replays
                    saved = fake._saved.get(scope)
                    if saved is not None:
                        request, status, body = saved
                        if request != [path, sorted(pairs)]:
                            return self._reply(
                                400,
                                {
                                    "error": {
                                        "type": "idempotency_error",
                                        "message": "Keys for idempotent requests "
                                        "can only be used with the same parameters "
                                        "they were first used with. Try using a key "
                                        "other than '" + key + "' if you meant to "
                                        "execute a different request.",
                                    }
                                },
                            )
                        return self._reply(status, body, replayed=True)
                    status, body, keep = self._execute(path, pairs)
                    if keep:
                        fake._saved[scope] = ([path, sorted(pairs)], status, body)
                self._answer(status, body)

            def _execute(self, path: str, pairs: list) -> tuple[int, dict, bool]:
                try:
                    with fake._lock:
                        return 200, _public(fake._route_post(path, _nest(pairs))), True
                except StripeError as error:
                    body = error.body()
                    if hasattr(error, "intent"):
                        body["error"]["payment_intent"] = _public(error.intent)
                    return error.status, body, error.saved

            def _answer(self, status: int, body: dict) -> None:
                with fake._lock:
                    stall = fake.stalls.pop(0) if fake.stalls else 0
                if not stall:
                    return self._reply(status, body)
                time.sleep(stall)  # the work is done; the client gives up
                try:
                    self._reply(status, body)
                except (BrokenPipeError, ConnectionResetError):
                    self.close_connection = True  # nobody is listening any more

        return Handler


def _nest(pairs: list[tuple[str, str]]) -> dict:
    """Stripe's form encoding (``a[b][0][c]=v``) back into dicts and lists."""
    root: dict = {}
    for key, value in pairs:
        name, _, rest = key.partition("[")
        parts = [name] + (rest[:-1].split("][") if rest else [])
        node = root
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = value
    return _listify(root)


def _listify(node):
    if not isinstance(node, dict):
        return node
    node = {k: _listify(v) for k, v in node.items()}
    if node and all(k.isdigit() for k in node):
        return [node[k] for k in sorted(node, key=int)]
    return node


def _public(obj: dict) -> dict:
    """An object as Stripe's JSON shows it, without the fake's bookkeeping."""
    return {k: v for k, v in obj.items() if not k.startswith("_")}
