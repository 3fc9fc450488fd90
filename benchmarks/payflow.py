"""Checkout through the whole payment flow, on the fake Stripe: the load
generator of the checkout scenarios of ``make bench``.

Each customer thread takes the next filled cart and, as a browser and
Stripe would:

1. posts the checkout form: the order is written awaiting payment and our
   server opens a Checkout Session on the fake Stripe (``StripeProvider``,
   the real ``stripe`` library over HTTP), answering with a redirect to its
   hosted page;
2. pays on the hosted page (``FakeStripe.pay``);
3. comes back to ``success_url`` (``/orders/<id>/paid/``) at once, while
   the fake delivers the signed ``checkout.session.completed`` event to our
   webhook from a pool of its own threads, as Stripe delivers concurrently
   with the redirect: the return page and the webhook race.

The webhook endpoint is subscribed to the session events the shop acts on
(``shop.payments.base.SESSION_EVENTS``), so ``payment_intent.succeeded`` is
never delivered, as with an endpoint configured as documented.

Three kinds of request are ours, and timed: the checkout POST, the return
page and the webhook. Paying is the fake's. "Webhook lag" is from
``pay`` returning to the webhook's 200, and to the order's payment being
settled (its ``settled_at``, written when the order turns placed, by
whichever of the two got there first).
"""

import http.client
import json
import threading
import time
import urllib.parse
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

KINDS = ("checkout", "return", "webhook")


@dataclass
class Order:
    """One customer's way through the flow, as the load generator saw it."""

    session_id: str
    order_id: int
    paid_at: float  # time.time() when the fake's pay() returned
    webhook_at: float | None = None  # when the webhook answered 2xx
    webhook_status: int | None = None
    returned: str = ""  # "placed", "processing" or the unexpected answer


@dataclass
class Report:
    seconds: float = 0.0
    latencies: dict[str, list[float]] = field(
        default_factory=lambda: {kind: [] for kind in KINDS}
    )
    orders: list[Order] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    ran_dry: int = 0


def percentile(values: list[float], share: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


class PayFlow:
    def __init__(self, *, port: int, fake, csrf: str, concurrency: int) -> None:
        self.port = port
        self.fake = fake
        self.csrf = csrf
        self.concurrency = concurrency
        self.webhook_url = f"http://127.0.0.1:{port}/payments/stripe/webhook/"
        self.pay_prefix = f"{fake.base_url}/pay/"
        from shop.payments.base import SESSION_EVENTS  # once Django is set up

        self.subscribed = SESSION_EVENTS

    # --- one customer -----------------------------------------------------------

    def request(
        self, method: str, path: str, session: str, body: str = "", headers=None
    ) -> http.client.HTTPResponse:
        """One request to gunicorn (its sync workers close every connection)."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        sent = {"Cookie": f"csrftoken={self.csrf}"}
        if session:
            sent["Cookie"] += f"; sessionid={session}"
        if method == "POST":
            sent["X-CSRFToken"] = self.csrf
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        sent.update(headers or {})
        try:
            connection.request(method, path, body=body or None, headers=sent)
            response = connection.getresponse()
            response.read()
        finally:
            connection.close()
        return response

    def checkout(self, path: str, session: str, body: str, headers=None):
        """Post a checkout form; the hosted page's session id and the answer."""
        response = self.request("POST", path, session, body, headers)
        location = response.headers.get("Location", "")
        if response.status != 302 or not location.startswith(self.pay_prefix):
            return None, response
        return location.removeprefix(self.pay_prefix), response

    def pay(self, session_id: str) -> tuple[Order, list[dict]]:
        """Pay on the hosted page; the order and the events Stripe would
        deliver to our endpoint for it (taken off the fake's queue)."""
        session = self.fake.pay(session_id)
        paid_at = time.time()
        intent = session["payment_intent"]
        with self.fake._lock:
            mine = [
                e
                for e in self.fake.pending
                if e["data"]["object"]["id"] in (session_id, intent)
            ]
            taken = {e["id"] for e in mine}
            self.fake.pending = [e for e in self.fake.pending if e["id"] not in taken]
        return_path = urllib.parse.urlsplit(session["success_url"]).path
        order = Order(session_id, int(return_path.split("/")[2]), paid_at)
        return order, [e for e in mine if e["type"] in self.subscribed]

    def return_path(self, order: Order) -> str:
        return f"/orders/{order.order_id}/paid/"

    def come_back(self, order: Order, session: str, headers=None):
        """The buyer's browser back on ``success_url``."""
        response = self.request(
            "GET", self.return_path(order), session, headers=headers
        )
        location = response.headers.get("Location", "")
        if response.status == 302 and location == f"/orders/{order.order_id}/":
            order.returned = "placed"
        elif response.status == 200:
            order.returned = "processing"
        else:
            order.returned = f"{response.status} {location}"
        return response

    def webhook(self, event: dict, headers=None) -> http.client.HTTPResponse:
        """Deliver ``event`` once, signed by the fake, with extra ``headers``
        (``FakeStripe.deliver`` is what the load uses)."""
        payload = json.dumps(event, indent=2)
        return self.request(
            "POST", urllib.parse.urlsplit(self.webhook_url).path, "", payload,
            {"Stripe-Signature": self.fake.sign(payload),
             "Content-Type": "application/json; charset=utf-8", **(headers or {})},
        )  # fmt: skip

    def count_queries(self, webhook_first: tuple, return_first: tuple) -> dict:
        """The SQL queries of each of our requests, on two orders: one whose
        webhook comes before the buyer is back (the webhook places it), one
        the other way round (the return page asks Stripe and places it)."""
        counted = {"X-Count-Queries": "1"}
        queries = {}
        names = {
            "webhook": [("webhook", "webhook"), ("return", "return")],
            "return": [("return", "return, first"), ("webhook", "webhook, second")],
        }
        for line, first in ((webhook_first, "webhook"), (return_first, "return")):
            _method, path, session, body = line
            session_id, response = self.checkout(path, session, body, counted)
            if session_id is None:
                raise RuntimeError(f"checkout: {response.status}")
            queries.setdefault("place order", int(response.headers["X-Queries"]))
            order, events = self.pay(session_id)
            (completed,) = (
                e for e in events if e["type"] == "checkout.session.completed"
            )
            for kind, name in names[first]:
                if kind == "webhook":
                    response = self.webhook(completed, counted)
                else:
                    response = self.come_back(order, session, counted)
                if response.status >= 400 or "X-Queries" not in response.headers:
                    raise RuntimeError(f"{name}: {response.status}")
                queries[name] = int(response.headers["X-Queries"])
        return queries

    # --- the load ---------------------------------------------------------------

    def run(self, lines: list[tuple], seconds: float) -> Report:
        """Customers check out, pay and come back, non-stop for ``seconds``,
        each with the next of ``lines`` (checkout POSTs); then every webhook
        still in flight is waited for."""
        report = Report()
        pending = iter(lines)
        lock = threading.Lock()
        deliveries = ThreadPoolExecutor(max_workers=self.concurrency)

        def timed(kind: str, call, *args, **kwargs):
            started = time.perf_counter()
            try:
                return call(*args, **kwargs)
            finally:
                with lock:
                    report.latencies[kind].append(time.perf_counter() - started)

        def deliver(order: Order, events: list[dict]) -> None:
            for event in events:
                status = timed("webhook", self.fake.deliver, event, self.webhook_url)
                if event["type"] == "checkout.session.completed":
                    order.webhook_at, order.webhook_status = time.time(), status

        def customer(deadline: float) -> None:
            while time.monotonic() < deadline:
                with lock:
                    line = next(pending, None)
                if line is None:
                    with lock:
                        report.ran_dry += 1
                    return
                _method, path, session, body = line
                try:
                    session_id, response = timed(
                        "checkout", self.checkout, path, session, body
                    )
                    if session_id is None:
                        where = response.headers.get("Location", "")
                        with lock:
                            report.errors.append(f"checkout: {response.status} {where}")
                        continue
                    order, events = self.pay(session_id)
                    deliveries.submit(deliver, order, events)
                    timed("return", self.come_back, order, session)
                except OSError as error:
                    with lock:
                        report.errors.append(f"{type(error).__name__}: {error}")
                    continue
                with lock:
                    report.orders.append(order)

        started = time.monotonic()
        deadline = started + seconds
        threads = [
            threading.Thread(target=customer, args=(deadline,))
            for _ in range(self.concurrency)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        report.seconds = time.monotonic() - started
        deliveries.shutdown(wait=True)
        return report


def account(report: Report, fake) -> dict:
    """What the run left, counted from our database and the fake's objects:
    orders placed and by whom, the webhook lag, and anything opened,
    charged, captured or settled twice (each a count of extra ones)."""
    from shop.models import Order as OrderRow
    from shop.models import OrderEvent, Payment, PaymentEvent

    ids = [order.order_id for order in report.orders]
    placed = set(
        OrderRow.objects.filter(pk__in=ids, status=OrderRow.Status.PLACED).values_list(
            "pk", flat=True
        )
    )
    settled_at = {}
    captured = Counter()
    for order_id, settled in (
        Payment.objects.filter(order_id__in=ids, status=Payment.Status.CAPTURED)
        .exclude(provider=Payment.STORE_CREDIT)
        .values_list("order_id", "settled_at")
    ):
        captured[order_id] += 1
        settled_at[order_id] = settled.timestamp()
    paid_events = Counter(
        OrderEvent.objects.filter(
            order_id__in=ids, kind=OrderEvent.Kind.PAID
        ).values_list("order_id", flat=True)
    )
    outcomes = Counter(
        PaymentEvent.objects.filter(payment__order_id__in=ids).values_list(
            "outcome", flat=True
        )
    )
    # The fake's side: sessions opened and charges made, per order.
    wanted = {str(order_id) for order_id in ids}
    with fake._lock:
        objects = list(fake.objects.values())
    intents = {o["id"]: o for o in objects if o["object"] == "payment_intent"}
    sessions = Counter(
        o["client_reference_id"]
        for o in objects
        if o["object"] == "checkout.session" and o["client_reference_id"] in wanted
    )
    charges = Counter(
        intents[o["payment_intent"]]["metadata"].get("order")
        for o in objects
        if o["object"] == "charge" and o["status"] == "succeeded"
    )
    charges = Counter({key: n for key, n in charges.items() if key in wanted})

    def extra(counts: Counter) -> int:
        return sum(n - 1 for n in counts.values() if n > 1)

    def spread(values: list[float]) -> dict[str, float]:
        return {
            "p50": round(percentile(values, 0.5) * 1000, 1),
            "p95": round(percentile(values, 0.95) * 1000, 1),
            "max": round(max(values, default=0) * 1000, 1),
        }

    by_webhook = outcomes["placed the order"]
    return {
        "orders": len(ids),
        "placed": len(placed),
        "not_placed": len(ids) - len(placed),
        "placed_by_webhook": by_webhook,
        "placed_by_return": len(placed) - by_webhook,
        "returned_processing": sum(o.returned == "processing" for o in report.orders),
        "returned_unexpected": [
            o.returned
            for o in report.orders
            if o.returned not in ("placed", "processing")
        ],
        "webhook_failed": sum(
            not (o.webhook_status and 200 <= o.webhook_status < 300)
            for o in report.orders
        ),
        "event_outcomes": dict(outcomes),
        "duplicate_sessions": extra(sessions),
        "duplicate_charges": extra(charges) + extra(captured),
        "settled_twice": extra(paid_events),
        "charged_not_placed": sum(1 for key in charges if int(key) not in placed),
        # From the fake's pay() returning to the order placed (its payment
        # settled, by whichever of webhook and return page came first) and
        # to the webhook's 2xx.
        "lag_placed_ms": spread(
            [
                settled_at[o.order_id] - o.paid_at
                for o in report.orders
                if o.order_id in settled_at
            ]
        ),
        "lag_webhook_ms": spread(
            [o.webhook_at - o.paid_at for o in report.orders if o.webhook_at]
        ),
    }
