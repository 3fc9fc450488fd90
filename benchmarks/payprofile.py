"""The CPU of an order's three requests, in this process: the checkout POST,
the return page and the signed webhook, through Django's test client with
the bench's settings, the real ``stripe`` library talking HTTP to the fake
Stripe (its server threads are not this thread, so they are not counted),
and the mean CPU of the PostgreSQL server process serving it, when the
server runs on this machine.

Every other order has its webhook first (it places the order; then the
return page), the others their return page first (it asks Stripe and places
the order; then the webhook says "already paid"). Prints the median thread
CPU of each request, the queries of each, and, with ``--profile``, a
cProfile of all of them.

    .venv/bin/python -m benchmarks.payprofile --orders 200 [--profile 40]

Needs PostgreSQL and Redis; ``PAYPROFILE_DATABASE`` (default
``hoshii_payprofile``) is dropped and made again from the bench's migrated
template, ``PAYPROFILE_REDIS_URL`` (default db 13) is used as is.
"""

import argparse
import cProfile
import json
import os
import pstats
import statistics
import time
import urllib.parse


def setup_environment(database: str, redis_url: str) -> None:
    from benchmarks.bench import migrated_template
    from benchmarks.stack import fresh_database

    os.environ.update(
        DJANGO_SETTINGS_MODULE="config.settings.bench",
        SECRET_KEY="benchmark-only-" + "x" * 40,
        DATABASE_URL=fresh_database(database, migrated_template()),
        REDIS_URL=redis_url,
        ALLOWED_HOSTS="testserver,127.0.0.1",
        SITE_URL="http://testserver",
        LOG_LEVEL="WARNING",
        EMAIL_URL="dummymail://",
        CALLBACKS_DIALER="callbacks.dialers.ConsoleDialer",
        SHOP_PAYMENT_PROVIDER="shop.payments.StripeProvider",
    )


def wrap(names: list[str]) -> dict[str, list]:
    """Time each ``module:attribute.path`` function (its thread CPU, summed
    over calls), without cProfile's overhead on everything else."""
    import functools
    import importlib

    spent = {}
    for name in names:
        module_name, _, path = name.partition(":")
        owner = importlib.import_module(module_name)
        *parents, attribute = path.split(".")
        for parent in parents:
            owner = getattr(owner, parent)
        function = getattr(owner, attribute)
        totals = spent[name] = [0, 0.0]

        def timed(*args, _function=function, _totals=totals, **kwargs):
            started = time.thread_time()
            try:
                return _function(*args, **kwargs)
            finally:
                _totals[0] += 1
                _totals[1] += time.thread_time() - started

        setattr(owner, attribute, functools.wraps(function)(timed))
    return spent


def profiling_arguments(parser: argparse.ArgumentParser) -> None:
    """The options every in-process profile takes (this one's and
    ``benchmarks.supportprofile``'s)."""
    parser.add_argument("--profile", type=int, default=0, help="top functions")
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--sql", action="store_true", help="print one of each")
    parser.add_argument(
        "--breakdown",
        nargs="*",
        default=[],
        help="module:function names to time (thread CPU per call, no profiler)",
    )


def database_cpu(connection):
    """A function giving the CPU seconds the PostgreSQL server process of
    ``connection`` has used (its parsing, planning and running of our
    statements), read from /proc: for a server on this machine (NaN for
    one elsewhere)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (backend,) = cursor.fetchone()
    stat = f"/proc/{backend}/stat"
    if not os.path.exists(stat):
        return lambda: float("nan")
    ticks = os.sysconf("SC_CLK_TCK")

    def used() -> float:
        with open(stat) as file:
            fields = file.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / ticks  # utime + stime

    return used


def report(spent: dict, profiler: cProfile.Profile, top: int) -> None:
    """What ``wrap`` timed, and the ``top`` functions of ``profiler``."""
    for name, (calls, seconds) in spent.items():
        if calls:
            print(f"{name}: {calls} calls, {seconds * 1000 / calls:.3f} ms each")
    if top:
        stats = pstats.Stats(profiler)
        stats.sort_stats("cumulative").print_stats(top)
        stats.sort_stats("tottime").print_stats(top)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, default=200)
    profiling_arguments(parser)
    parser.add_argument("--kind", default="", help="profile only this request")
    parser.add_argument(
        "--worker", action="store_true", help="then time the worker's emails"
    )
    arguments = parser.parse_args()

    from tests.payments.fake_stripe import WEBHOOK_SECRET, FakeStripe

    fake = FakeStripe().start()
    setup_environment(
        os.environ.get("PAYPROFILE_DATABASE", "hoshii_payprofile"),
        os.environ.get("PAYPROFILE_REDIS_URL", "redis://127.0.0.1:6379/13"),
    )
    os.environ.update(
        STRIPE_API_BASE=fake.base_url,
        STRIPE_SECRET_KEY=fake.api_key,
        STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET,
    )
    import django

    django.setup()
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from benchmarks.bench import fill_carts, make_catalog
    from benchmarks.customers import make_shoppers
    from shop.payments.base import SESSION_EVENTS

    spent = wrap(arguments.breakdown)
    total = arguments.orders + arguments.warmup
    products = make_catalog(50)
    shoppers = make_shoppers("prof", total, phone_from=1_000_000)
    lines = fill_carts(shoppers, products)

    times: dict[str, list[float]] = {}
    # The server's CPU, summed: a tick is 10 ms, too coarse for a median.
    server: dict[str, list[float]] = {}
    server_cpu = database_cpu(connection)
    queries: dict[str, int] = {}
    # The thread's CPU, not the wall clock: waits on PostgreSQL and on the
    # fake Stripe are not this process's work.
    profiler = cProfile.Profile(time.thread_time)
    shown: set[str] = set()

    def timed(name: str, measured: bool, call, *args, **kwargs):
        reset_queries()
        profiled = measured and arguments.profile and arguments.kind in ("", name)
        with CaptureQueriesContext(connection) as captured:
            if profiled:
                profiler.enable()
            server_started = server_cpu()
            started = time.thread_time()
            response = call(*args, **kwargs)
            used = time.thread_time() - started
            server_used = server_cpu() - server_started
            if profiled:
                profiler.disable()
        if measured:
            times.setdefault(name, []).append(used * 1000)
            server.setdefault(name, []).append(server_used * 1000)
            queries[name] = len(captured.captured_queries)
            if arguments.sql and name not in shown:
                shown.add(name)
                print(f"--- {name}")
                for query in captured.captured_queries:
                    print("   ", query["sql"][:300])
        return response

    pay_prefix = f"{fake.base_url}/pay/"
    # One client, as one gunicorn worker: its handler loads the middleware
    # once. Each order is its shopper's session.
    client = Client()
    for index, (_method, path, session, body) in enumerate(lines):
        measured = index >= arguments.warmup
        client.cookies.clear()
        client.cookies["sessionid"] = session
        response = timed(
            "checkout POST",
            measured,
            client.post,
            path,
            body,  # urlencoded, as the bench's customers post it
            content_type="application/x-www-form-urlencoded",
        )
        location = response.headers.get("Location", "")
        assert response.status_code == 302 and location.startswith(pay_prefix), (
            response.status_code,
            location,
        )
        session_id = location.removeprefix(pay_prefix)
        paid = fake.pay(session_id)
        with fake._lock:
            mine = [
                e
                for e in fake.pending
                if e["data"]["object"]["id"] == session_id
                and e["type"] in SESSION_EVENTS
            ]
            fake.pending.clear()
        (event,) = mine
        payload = json.dumps(event, indent=2)
        order_path = urllib.parse.urlsplit(paid["success_url"]).path

        def webhook(payload=payload):
            return client.post(
                "/payments/stripe/webhook/",
                payload,
                content_type="application/json; charset=utf-8",
                HTTP_STRIPE_SIGNATURE=fake.sign(payload),
            )

        if index % 2 == 0:
            answer = timed("webhook, first", measured, webhook)
            assert answer.content == b"placed the order", answer.content
            answer = timed("return, after", measured, client.get, order_path)
            assert answer.status_code == 302, answer.status_code
        else:
            answer = timed("return, first", measured, client.get, order_path)
            assert answer.status_code == 302, answer.status_code
            answer = timed("webhook, second", measured, webhook)
            assert answer.content == b"already paid", answer.content

    fake.stop()
    if arguments.worker:
        from shop import confirmations

        if arguments.profile:
            profiler.enable()
        started = time.thread_time()
        sent = confirmations.send_pending()
        used = time.thread_time() - started
        if arguments.profile:
            profiler.disable()
        print(f"worker: {sent} confirmations, {used * 1000 / sent:.2f} ms each")
    median = {name: statistics.median(values) for name, values in times.items()}
    for name, value in median.items():
        print(
            f"{name:18} {value:6.2f} ms  {queries[name]:3} queries, "
            f"PostgreSQL {statistics.mean(server[name]):5.2f} ms"
        )
    first = median["webhook, first"] + median["return, after"]
    second = median["return, first"] + median["webhook, second"]
    print(
        "an order, webhook first / return first: "
        f"{median['checkout POST'] + first:.2f} / "
        f"{median['checkout POST'] + second:.2f} ms"
    )
    report(spent, profiler, arguments.profile)


if __name__ == "__main__":
    main()
