"""The CPU of the support scenario's request, in this process: "Get help"
posted with "call me now" (``benchmarks/bench.py``'s support scenario),
through Django's test client with the bench's settings.

Each shopper has one placed, shipped order and files one case about its
line. Prints the median thread CPU of the POST and its queries and, with
``--profile``, a cProfile of them; ``--breakdown`` times named functions.
The PostgreSQL server's CPU is its mean, read from /proc when the server
runs on this machine. With ``--case-page`` the case page each POST
redirects to (the customer's next request) is also timed, and profiled
instead of the POST.

    .venv/bin/python -m benchmarks.supportprofile --cases 300 [--profile 40]

Needs PostgreSQL and Redis; ``PAYPROFILE_DATABASE`` (default
``hoshii_payprofile``) is dropped and made again from the bench's migrated
template, ``PAYPROFILE_REDIS_URL`` (default db 13) is flushed first: the
calls' tasks are queued there and never run.
"""

import argparse
import cProfile
import os
import statistics
import time


def main() -> None:
    from benchmarks.payprofile import (
        database_cpu,
        profiling_arguments,
        report,
        setup_environment,
        wrap,
    )

    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=300)
    profiling_arguments(parser)
    parser.add_argument(
        "--worker",
        action="store_true",
        help="then dial the booked calls here (the dial task's work, through "
        "the twilio library to the fake Twilio), timed and profiled instead",
    )
    parser.add_argument(
        "--case-page",
        action="store_true",
        help="also open the case page each POST redirects to, timed, and "
        "profiled instead of the POST",
    )
    arguments = parser.parse_args()

    redis_url = os.environ.get("PAYPROFILE_REDIS_URL", "redis://127.0.0.1:6379/13")
    setup_environment(
        os.environ.get("PAYPROFILE_DATABASE", "hoshii_payprofile"), redis_url
    )
    os.environ["SHOP_PAYMENT_PROVIDER"] = "shop.payments.TestPaymentProvider"
    if arguments.worker:
        from benchmarks.stack import fake_twilio_env
        from tests.callbacks.fake_twilio import FakeTwilio

        fake = FakeTwilio("AC" + "0" * 32, "bench-token").start()
        os.environ.update(
            fake_twilio_env(fake, port=8000),
            CALLBACKS_DIALER="callbacks.dialers.TwilioDialer",
            CALLBACKS_CALLS_PER_SECOND="100000",
            CALLBACKS_CALL_BURST="100000",
        )
    # The full bench's collected files (``make bench`` made them): the
    # page's {% static %} tags read their manifest.
    os.environ.setdefault("STATIC_ROOT", "var/bench-full-static")
    # As the bench's stack: the line is open, no customer is rate-limited.
    os.environ.update(
        CALLBACKS_HOURS="00:00-24:00",
        CALLBACKS_MAX_PER_HOUR="1000000",
        CALLBACKS_SHOP_MAX_PER_HOUR="1000000",
    )
    import django

    django.setup()
    import redis
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from benchmarks.bench import call_me_now, make_catalog
    from benchmarks.customers import make_shoppers
    from shop import services
    from shop.models import Address, Cart, CartLine
    from shop.payments import TestPaymentProvider

    redis.Redis.from_url(redis_url).flushdb()
    spent = wrap(arguments.breakdown)
    total = arguments.cases + arguments.warmup
    products = make_catalog(50)
    shoppers = make_shoppers("help", total, phone_from=2_000_000)
    addresses = {a.user_id: a for a in Address.objects.filter(
        user_id__in=[s.user_id for s in shoppers])}  # fmt: skip
    provider = TestPaymentProvider()
    posts = []
    for index, shopper in enumerate(shoppers):
        cart = Cart.objects.create(owner_id=shopper.user_id)
        CartLine.objects.create(
            cart=cart, product=products[index % len(products)], quantity=1
        )
        address = addresses[shopper.user_id]
        order = services.place_order(
            cart=cart,
            buyer=address.user,
            destination=services.Destination(address=address),
            expected_total=services.quote(cart=cart)[1].total,
        )
        url = services.start_payment(order=order)
        provider.pay(url.rstrip("/").rsplit("/", 1)[-1], "4242424242424242")
        order = services.refresh_payment(order=order)
        shipment = services.create_shipment_for_remaining(order=order, actor=None)
        services.mark_shipped(shipment=shipment, actor=None)
        line = order.lines.get()
        posts.append(
            (
                f"/help/orders/{order.pk}/",
                shopper.session,
                call_me_now(line.pk, shopper.phone),
            )
        )

    times: list[float] = []
    counts: list[int] = []
    profiler = cProfile.Profile(time.thread_time)
    profile_posts = arguments.profile and not arguments.worker
    profile_pages = profile_posts and arguments.case_page
    profile_posts = profile_posts and not arguments.case_page
    client = Client()
    server_cpu = database_cpu(connection)
    server: list[float] = []
    pages: list[float] = []
    page_counts: list[int] = []
    for index, (path, session, body) in enumerate(posts):
        measured = index >= arguments.warmup
        client.cookies.clear()
        client.cookies["sessionid"] = session
        with CaptureQueriesContext(connection) as captured:
            if measured and profile_posts:
                profiler.enable()
            server_started = server_cpu()
            started = time.thread_time()
            response = client.post(
                path, body, content_type="application/x-www-form-urlencoded"
            )
            used = time.thread_time() - started
            server_used = server_cpu() - server_started
            if measured and profile_posts:
                profiler.disable()
        assert response.status_code == 302, (response.status_code, path)
        assert "/help/cases/" in response.headers["Location"], response.headers
        if arguments.case_page:
            with CaptureQueriesContext(connection) as page_queries:
                if measured and profile_pages:
                    profiler.enable()
                started = time.thread_time()
                page = client.get(response.headers["Location"])
                page_used = time.thread_time() - started
                if measured and profile_pages:
                    profiler.disable()
            assert page.status_code == 200, page.status_code
            if measured:
                pages.append(page_used * 1000)
                page_counts.append(len(page_queries.captured_queries))
        if measured:
            times.append(used * 1000)
            server.append(server_used * 1000)
            counts.append(len(captured.captured_queries))
            if arguments.sql and len(times) == 1:
                for query in captured.captured_queries:
                    print("   ", query["sql"][:300])
    print(
        f"get help, call now  {statistics.median(times):6.2f} ms  {max(counts)} "
        f"queries, PostgreSQL {statistics.mean(server):5.2f} ms"
    )
    if pages:
        print(
            f"its case page       {statistics.median(pages):6.2f} ms  "
            f"{max(page_counts)} queries"
        )
    if arguments.worker:
        from callbacks.models import CallbackRequest
        from callbacks.services import dial

        profiler = cProfile.Profile(time.thread_time)
        dials: list[float] = []
        dial_server: list[float] = []
        due = list(
            CallbackRequest.objects.filter(state=CallbackRequest.State.SCHEDULED)
            .order_by("due_at", "pk")
            .values_list("pk", flat=True)
        )
        for index, callback_id in enumerate(due):
            measured = index >= arguments.warmup
            with CaptureQueriesContext(connection) as captured:
                if measured and arguments.profile:
                    profiler.enable()
                server_started = server_cpu()
                started = time.thread_time()
                dial(callback_id=callback_id)
                used = time.thread_time() - started
                server_used = server_cpu() - server_started
                if measured and arguments.profile:
                    profiler.disable()
            if measured:
                dials.append(used * 1000)
                dial_server.append(server_used * 1000)
        placed = CallbackRequest.objects.exclude(call_sid="").count()
        assert placed == len(due), (placed, len(due))
        print(
            f"dial, in the worker {statistics.median(dials):6.2f} ms  "
            f"{len(captured.captured_queries)} queries, "
            f"PostgreSQL {statistics.mean(dial_server):5.2f} ms"
        )
    report(spent, profiler, arguments.profile)


if __name__ == "__main__":
    main()
