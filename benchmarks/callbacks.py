"""How fast "call me now" rings, and how exactly "in N seconds" fires.

Runs the real stack on loopback (gunicorn, PostgreSQL, Redis, a Celery
worker, the fake Twilio) and measures from the customer's POST to the
provider's create-call request:

A. 100 "now" requests from 20 concurrent customers, call rate limit raised;
B. 20 "now" requests at the default 1 call/s: the queue drains in due order;
C. 50 "in N seconds" requests: how early (must be never) and how late;
D. 30 of them double-clicked, each wake-up delivered twice more, and the
   worker SIGKILLed before they are due: one call each, none early, none later
   than one sweeper interval after the kill.

The Celery broker is Redis unless ``--broker`` (or BENCH_BROKER_URL) names
another: ``--broker amqp://guest:guest@127.0.0.1:5672//`` runs it on
RabbitMQ, in a virtual host made for the run and deleted after it.

Prints a table, and writes benchmarks/results/callbacks.json
(callbacks-rabbitmq.json on RabbitMQ).
Usage: .venv/bin/python -m benchmarks.callbacks [--only now,rate,later,killed]
       [--broker URL]
"""

import argparse
import json
import os
import secrets
import sys
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.customers import make_shoppers
from benchmarks.stack import Stack, cpu_used, fake_twilio_env, free_port
from config.brokers import is_rabbitmq
from tests.callbacks.fake_twilio import FakeTwilio
from tests.workers import RabbitMQVhost

REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/7")
BROKER_URL = os.environ.get("BENCH_BROKER_URL", REDIS_URL)
ACCOUNT, TOKEN = "AC" + "b" * 32, "bench-auth-token"
LATER_SECONDS = 5
WEB_WORKERS = 3  # measured better than 2 × cores + 1 on 2 shared cores
WARM_UP = 10
SWEEP_SECONDS = 30  # CELERY_BEAT_SCHEDULE's sweep-callbacks
WORKER_THREADS = 8  # as the production calls worker (docker-compose.yml)
RESULTS = ROOT / "benchmarks" / "results" / "callbacks.json"
RABBITMQ_RESULTS = ROOT / "benchmarks" / "results" / "callbacks-rabbitmq.json"


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def make_customers(count: int, offset: int) -> list[dict]:
    """Signed-in customers, each with a delivered order and an open case."""
    from shop import services as shop_services
    from shop.models import Address, Category, Product, User
    from support import services as support_services
    from tests.shop.factories import pay  # on the test provider's hosted page

    category, _ = Category.objects.get_or_create(
        slug="bench", defaults={"name": "Bench"}
    )
    product, _ = Product.objects.get_or_create(
        sku="BENCH-1",
        defaults={"category": category, "name": "Bench kettle", "slug": "bench-kettle",
                  "price": 3000, "stock_on_hand": 100000},
    )  # fmt: skip
    shoppers = make_shoppers("caller", count, phone_from=offset)
    users = User.objects.in_bulk([s.user_id for s in shoppers])
    addresses = Address.objects.in_bulk([s.address_id for s in shoppers])
    customers = []
    for shopper in shoppers:
        user = users[shopper.user_id]
        cart = shop_services.create_cart(owner=user)
        shop_services.add_to_cart(cart=cart, product_id=product.pk, quantity=1)
        order = shop_services.place_order(
            cart=cart, buyer=user,
            destination=shop_services.Destination(
                address=addresses[shopper.address_id]
            ),
            expected_total=shop_services.quote(cart=cart)[1].total,
        )  # fmt: skip
        order = pay(order)
        case = support_services.file_case(
            customer=user, order_line=order.lines.get(), problem="other",
            description="Please call me.",
        )  # fmt: skip
        customers.append(
            {"case": case.pk, "phone": shopper.phone, "session": shopper.session}
        )
    return customers


def ask_for_calls(
    stack: Stack, customers: list[dict], when: str, concurrency: int
) -> tuple[dict[str, float], dict[str, float]]:
    """POST "call me" for each customer from ``concurrency`` threads; return
    when each request was sent and when its page had loaded, by number."""
    sent: dict[str, float] = {}
    loaded: dict[str, float] = {}
    errors: list[str] = []
    queue = list(customers)
    lock = threading.Lock()

    def run() -> None:
        while True:
            with lock:
                if not queue:
                    return
                customer = queue.pop(0)
            csrf = secrets.token_hex(16)
            request = urllib.request.Request(
                f"http://127.0.0.1:{stack.port}/help/cases/{customer['case']}/call/",
                data=urllib.parse.urlencode(
                    {"when": when, "phone": customer["phone"]}
                ).encode(),
                headers={
                    "Cookie": f"sessionid={customer['session']}; csrftoken={csrf}",
                    "X-CSRFToken": csrf,
                },
                method="POST",
            )
            started = time.time()
            try:
                with urllib.request.urlopen(request, timeout=10) as response:
                    response.read()
            except urllib.error.HTTPError as error:
                if error.code != 302:
                    errors.append(f"{customer['case']}: {error.code}")
            with lock:
                sent[customer["phone"]] = started
                loaded[customer["phone"]] = time.time()

    threads = [threading.Thread(target=run) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise RuntimeError(f"requests failed: {errors[:5]}")
    return sent, loaded


def wait_for_calls(
    fake: FakeTwilio, phones: set[str], seconds: float
) -> dict[str, dict]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        calls = {c["to"]: c for c in list(fake.calls.values()) if c["to"] in phones}
        if len(calls) == len(phones):
            return calls
        time.sleep(0.05)
    raise RuntimeError(f"only {len(calls)} of {len(phones)} calls were placed")


def created_per_request(fake: FakeTwilio, phones: set[str]) -> float:
    placed = [r for r in fake.created if r["params"].get("To") in phones]
    return len(placed) / len(phones)


def summary(name: str, delays: list[float], fake: FakeTwilio, phones) -> dict:
    """A scenario's row: p50, p95 and max of ``delays`` (seconds) in ms, and
    the calls placed per request for ``phones``."""
    return {
        "name": name,
        "p50_ms": percentile(delays, 0.5) * 1000,
        "p95_ms": percentile(delays, 0.95) * 1000,
        "max_ms": max(delays) * 1000,
        "calls_per_request": created_per_request(fake, set(phones)),
    }


def due_times(phones) -> dict[str, float]:
    from callbacks.models import CallbackRequest

    return {
        str(c.number): c.due_at.timestamp()
        for c in CallbackRequest.objects.filter(number__in=list(phones))
    }


def now_with_limit_raised(stack: Stack, fake: FakeTwilio, customers) -> dict:
    """A. 100 "now" requests from 20 concurrent customers, after 10 to warm
    every process up (imports, connections)."""
    stack.start_worker(
        WORKER_THREADS, CALLBACKS_CALLS_PER_SECOND="1000", CALLBACKS_CALL_BURST="1000"
    )
    warm_up, customers = customers[:WARM_UP], customers[WARM_UP:]
    wait_for_calls(
        fake, set(ask_for_calls(stack, warm_up, "now", concurrency=5)[0]), 30
    )
    before = stack.cpu()
    sent, loaded = ask_for_calls(stack, customers, "now", concurrency=20)
    calls = wait_for_calls(fake, set(sent), 60)
    used = cpu_used(before, stack.cpu())
    latency = [calls[p]["received_at"] - sent[p] for p in sent]
    page = [loaded[p] - sent[p] for p in sent]
    name = f"now, {len(sent)} requests, 20 concurrent, limit raised"
    return {
        **summary(name, latency, fake, sent),
        "page_p50_ms": percentile(page, 0.5) * 1000,
        "page_p95_ms": percentile(page, 0.95) * 1000,
        # per request: its POST and the case page it redirects to
        "web_cpu_ms": used["web"] / len(sent) * 1000,
        "worker_cpu_ms": used["worker"] / len(sent) * 1000,
        # the broker's processes, whichever it is (Redis also holds the cache)
        "broker_cpu_ms": used[stack.broker] / len(sent) * 1000,
    }


def now_at_default_rate(stack: Stack, fake: FakeTwilio, customers) -> dict:
    """B. "now" at the default 1 call/s: the queue drains in due order."""
    stack.start_worker(
        WORKER_THREADS, CALLBACKS_CALLS_PER_SECOND="1", CALLBACKS_CALL_BURST="1"
    )
    sent, loaded = ask_for_calls(stack, customers, "now", concurrency=20)
    calls = wait_for_calls(fake, set(sent), 90)
    latency = [calls[p]["received_at"] - sent[p] for p in sent]
    due = due_times(sent)
    # Order is judged once every request is in: until a request has
    # committed, a call with a later due time can rightly go first.
    all_in = max(loaded.values())
    by_call_time = sorted(
        (p for p in sent if calls[p]["received_at"] > all_in),
        key=lambda p: calls[p]["received_at"],
    )
    received = [calls[p]["received_at"] for p in sent]
    span = max(received) - min(received)
    return {
        **summary(f"now, {len(sent)} requests at 1 call/s", latency, fake, sent),
        "in_due_order": by_call_time == sorted(by_call_time, key=lambda p: due[p]),
        "judged_for_order": len(by_call_time),
        "calls_per_second": (len(calls) - 1) / span if span else None,
    }


def later(stack: Stack, fake: FakeTwilio, customers) -> dict:
    """C. "in N seconds": never early, barely late."""
    stack.start_worker(
        WORKER_THREADS, CALLBACKS_CALLS_PER_SECOND="1000", CALLBACKS_CALL_BURST="1000"
    )
    sent, _ = ask_for_calls(stack, customers, "later", concurrency=20)
    calls = wait_for_calls(fake, set(sent), LATER_SECONDS + 60)
    return lateness(
        f"in {LATER_SECONDS} s, {len(sent)} requests, 20 concurrent", fake, calls
    )


def lateness(name: str, fake: FakeTwilio, calls: dict[str, dict]) -> dict:
    """How late after its due time each call was placed (never early)."""
    due = due_times(calls)
    late = [call["received_at"] - due[phone] for phone, call in calls.items()]
    return {
        **summary(name, late, fake, calls),
        "early": sum(1 for value in late if value < 0),
    }


def duplicates_and_a_killed_worker(stack: Stack, fake: FakeTwilio, customers) -> dict:
    """D. Every customer double-clicks "in N seconds", every wake-up is
    delivered twice more (a retried task, a redelivered message), and the
    worker holding them is SIGKILLed before they are due. A new worker with
    the sweeper takes over: still one call each, none early, and none later
    than one sweeper interval after the kill."""
    from callbacks.models import CallbackRequest
    from callbacks.tasks import dial_callback

    stack.start_beat()
    stack.start_worker(
        WORKER_THREADS, CALLBACKS_CALLS_PER_SECOND="1000", CALLBACKS_CALL_BURST="1000"
    )
    sent, _ = ask_for_calls(stack, customers * 2, "later", concurrency=20)
    for row in CallbackRequest.objects.filter(number__in=list(sent)):
        for _ in range(2):
            dial_callback.apply_async(kwargs={"callback_id": row.pk}, eta=row.due_at)
    time.sleep(LATER_SECONDS / 2)
    stack.kill("worker")
    killed_at = time.time()
    stack.start_worker(  # restarted, as a supervisor would
        WORKER_THREADS, CALLBACKS_CALLS_PER_SECOND="1000", CALLBACKS_CALL_BURST="1000"
    )
    calls = wait_for_calls(fake, set(sent), SWEEP_SECONDS + 60)
    time.sleep(2)  # room for a second call, were one to be placed
    stack.stop("beat")
    name = f"in {LATER_SECONDS} s, {len(sent)} double-clicked, worker killed"
    return {
        **lateness(name, fake, calls),
        "after_kill_max_s": max(c["received_at"] for c in calls.values()) - killed_at,
    }


# name: (scenario, customers it needs)
SCENARIOS = {
    "now": (now_with_limit_raised, WARM_UP + 100),
    "rate": (now_at_default_rate, 20),
    "later": (later, 50),
    "killed": (duplicates_and_a_killed_worker, 30),
}


def print_table(rows: list[dict]) -> None:
    print()
    header = f"{'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'calls/req':>9}"
    print(f"{'scenario':52} {header}  notes")
    for row in rows:
        notes = []
        if "page_p50_ms" in row:
            notes.append(
                f"page loaded p50 {row['page_p50_ms']:.0f} ms, "
                f"p95 {row['page_p95_ms']:.0f} ms"
            )
        if "web_cpu_ms" in row:
            notes.append(
                f"CPU per request: web {row['web_cpu_ms']:.0f} ms, "
                f"worker {row['worker_cpu_ms']:.0f} ms"
                + (
                    f", broker {row['broker_cpu_ms']:.0f} ms"
                    if "broker_cpu_ms" in row
                    else ""
                )
            )
        if "after_kill_max_s" in row:
            notes.append(
                f"last call {row['after_kill_max_s']:.1f} s after the kill "
                f"(sweeper every {SWEEP_SECONDS} s)"
            )
        if "early" in row:
            notes.append(f"early: {row['early']} (lateness after due)")
        if "in_due_order" in row:
            notes.append(
                f"in due order: {row['in_due_order']} "
                f"({row['judged_for_order']} placed after all were in)"
            )
            notes.append(f"{row['calls_per_second']:.2f} calls/s")
        print(
            f"{row['name']:52} {row['p50_ms']:8.0f} {row['p95_ms']:8.0f} "
            f"{row['max_ms']:8.0f} {row['calls_per_request']:9.2f}  {'; '.join(notes)}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--only", default=",".join(SCENARIOS), help=f"of {','.join(SCENARIOS)}"
    )
    parser.add_argument(
        "--broker",
        default=BROKER_URL,
        help="Celery broker URL: Redis (the default) or amqp://… for RabbitMQ",
    )
    arguments = parser.parse_args()
    only = arguments.only.split(",")
    broker_url, vhost = arguments.broker, None
    if is_rabbitmq(broker_url):
        vhost = RabbitMQVhost(broker_url).create()
        broker_url = vhost.url
    fake = FakeTwilio(ACCOUNT, TOKEN).start()
    port = free_port()
    stack = Stack(
        # BENCH_DATABASE: a name of its own, where several checkouts bench at once
        database=os.environ.get("BENCH_DATABASE", "hoshii_bench_callbacks"),
        redis_url=REDIS_URL,
        port=port,
        extra_env={
            **fake_twilio_env(fake, port=port),
            "CALLBACKS_LATER_DELAY": str(LATER_SECONDS),
            "CALLBACKS_MAX_PER_HOUR": "1000",
            "CALLBACKS_SHOP_MAX_PER_HOUR": "1000000",
            "CELERY_BROKER_URL": broker_url,
        },
    )
    print(f"Celery broker: {stack.broker} ({broker_url})")
    os.environ.update(stack.env)  # this process reads the same database
    rows = []
    try:
        stack.manage("migrate", "--noinput")
        stack.manage("collectstatic", "--noinput")
        import django

        django.setup()
        import redis

        redis.Redis.from_url(REDIS_URL).flushdb()
        customers = make_customers(sum(SCENARIOS[name][1] for name in only), 0)
        stack.start_web(workers=WEB_WORKERS)
        for name in only:
            run, count = SCENARIOS[name]
            group, customers = customers[:count], customers[count:]
            rows.append(run(stack, fake, group))
    finally:
        stack.stop()
        fake.stop()
        if vhost:
            vhost.delete()
    print_table(rows)
    if set(only) == set(SCENARIOS):
        results = RABBITMQ_RESULTS if vhost else RESULTS
        results.parent.mkdir(parents=True, exist_ok=True)
        results.write_text(json.dumps(rows, indent=2) + "\n")
        print(f"\nwritten to {results.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
