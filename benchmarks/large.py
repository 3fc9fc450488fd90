"""The large shop for ``make bench-large``: 200,000 products, 100,000
customers, 1,000,000 orders (a line and a captured card payment each) and
100,000 support cases, loaded with PostgreSQL COPY in a few minutes.

Rows are built as unsaved model instances, so every column gets its model
default, and streamed to ``COPY … FROM STDIN`` in chunks, never held whole
in memory. Primary keys are taken from each table's own sequence up front
(one ``setval``), so later inserts by the app carry on after them. A
product's derived search columns come from ``Product.refresh_search_fields``
as ``save()`` would; its stored generated ``search_vector`` fills itself.
"""

import datetime
import io
import itertools
import json
import random
import time
from collections.abc import Callable, Iterable, Iterator

CHUNK = 50_000


def _text(value) -> str:
    """One value in COPY's text format."""
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if hasattr(value, "adapted"):  # a JSON field's adapter
        value = json.dumps(value.adapted)
    return (
        str(value)
        .replace("\\", "\\\\")
        .replace("\t", "\\t")
        .replace("\n", "\\n")
        .replace("\r", "\\r")
    )


def reserve_ids(model, count: int) -> int:
    """The first of ``count`` primary keys taken from the table's sequence."""
    from django.db import connection

    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
        (sequence,) = cursor.fetchone()
        cursor.execute("SELECT nextval(%s)", [sequence])
        (first,) = cursor.fetchone()
        cursor.execute("SELECT setval(%s, %s)", [sequence, first + count - 1])
    return first


def copy_models(model, objects: Iterable) -> int:
    """COPY unsaved ``model`` instances (primary keys set) into its table;
    returns how many rows went in."""
    from django.db import connection
    from django.utils import timezone

    fields = [
        field
        for field in model._meta.concrete_fields
        if not getattr(field, "generated", False)
    ]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    statement = (
        f"COPY {connection.ops.quote_name(model._meta.db_table)} ({columns}) FROM STDIN"
    )
    now = timezone.now()
    stamped = [
        getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
        for f in fields
    ]
    total = 0
    iterator = iter(objects)
    with connection.cursor() as cursor:
        raw = cursor.cursor  # psycopg2's own cursor, for copy_expert
        while chunk := list(itertools.islice(iterator, CHUNK)):
            buffer = io.StringIO()
            for obj in chunk:
                values = []
                for field, stamp in zip(fields, stamped, strict=True):
                    value = getattr(obj, field.attname)
                    if value is None and stamp:
                        value = now
                    values.append(_text(field.get_db_prep_save(value, connection)))
                buffer.write("\t".join(values))
                buffer.write("\n")
            buffer.seek(0)
            raw.copy_expert(statement, buffer)
            total += len(chunk)
    return total


def load(
    *,
    products: int,
    customers: int,
    orders: int,
    cases: int,
    make_products: Callable[[int, int], Iterator],
    log: Callable[[str], None] = print,
) -> list:
    """The large shop; returns the products (saved instances, pk set).

    ``make_products(count, first_id)`` yields the catalog's unsaved
    products (bench.py's, the same names as the normal-size catalog).
    """
    from django.contrib.auth.hashers import make_password
    from django.db import connection
    from django.utils import timezone

    from shop.models import Address, Order, OrderLine, Payment, Product, User
    from support.models import Case

    rng = random.Random(19)
    now = timezone.now()
    started = time.monotonic()

    def step(what: str, began: float) -> None:
        log(f"  loaded {what} in {time.monotonic() - began:.0f} s")

    began = time.monotonic()
    first = reserve_ids(Product, products)
    catalog = list(make_products(products, first))
    copy_models(Product, catalog)
    step(f"{products:,} products", began)

    began = time.monotonic()
    password = make_password("large-bench-customer")  # hashed once, reused
    first_user = reserve_ids(User, customers)
    first_address = reserve_ids(Address, customers)
    user_ids = range(first_user, first_user + customers)
    copy_models(
        User,
        (
            User(
                pk=user_id, email=f"customer{index}@large.bench.test",
                display_name=f"Customer {index}", phone=f"+8180{index:08d}",
                password=password, date_joined=now - datetime.timedelta(days=700),
            )
            for index, user_id in enumerate(user_ids)
        ),
    )  # fmt: skip
    copy_models(
        Address,
        (
            Address(
                pk=first_address + index, user_id=user_id,
                recipient_name=f"Customer {index}", country="JP",
                postal_code="150-0041", region="JP-13", city="渋谷区神南",
                line1=f"1-2-{index % 50 + 1}", phone=f"+8180{index:08d}",
                is_default=True,
            )
            for index, user_id in enumerate(user_ids)
        ),
    )  # fmt: skip
    step(f"{customers:,} customers and their addresses", began)

    # Orders over the last two years, oldest first (ids follow placed_at);
    # almost all delivered, the newest still placed or shipped.
    began = time.monotonic()
    first_order = reserve_ids(Order, orders)
    first_line = reserve_ids(OrderLine, orders)
    first_payment = reserve_ids(Payment, orders)
    span = datetime.timedelta(days=730).total_seconds()
    Status = Order.Status

    def order_rows() -> Iterator[tuple]:
        """(order id, buyer, product, quantity, placed_at) per order."""
        for index in range(orders):
            yield (
                first_order + index,
                first_user + rng.randrange(customers),
                catalog[rng.randrange(products)],
                1 + index % 3,
                now - datetime.timedelta(seconds=span * (1 - index / orders)),
            )

    def status_of(index: int) -> str:
        left = orders - index
        if left <= 500:
            return Status.PLACED
        if left <= 2_000:
            return Status.SHIPPED
        return Status.DELIVERED

    rows = list(order_rows())
    copy_models(
        Order,
        (
            Order(
                pk=order_id, buyer_id=buyer, status=status_of(index),
                email=f"customer{buyer - first_user}@large.bench.test",
                currency="JPY", subtotal=product.price * quantity, shipping_fee=600,
                total=product.price * quantity + 600,
                ship_to_name=f"Customer {buyer - first_user}", ship_to_country="JP",
                ship_to_postal_code="150-0041", ship_to_region="JP-13",
                ship_to_city="渋谷区神南", ship_to_line1="1-2-3",
                placed_at=placed_at, confirmation_sent_at=placed_at,
            )
            for index, (order_id, buyer, product, quantity, placed_at) in enumerate(
                rows
            )
        ),
    )  # fmt: skip
    copy_models(
        OrderLine,
        (
            OrderLine(
                pk=first_line + index, order_id=order_id, product_id=product.pk,
                sku=product.sku, name=product.name, name_ja=product.name_ja,
                unit_price=product.price, quantity=quantity,
            )
            for index, (order_id, _buyer, product, quantity, _at) in enumerate(rows)
        ),
    )  # fmt: skip
    copy_models(
        Payment,
        (
            Payment(
                pk=first_payment + index, order_id=order_id, provider="stripe",
                reference=f"pi_large_{order_id}", session_id=f"cs_large_{order_id}",
                amount=product.price * quantity + 600, currency="JPY",
                card_last4="4242", status=Payment.Status.CAPTURED,
                created_at=placed_at, settled_at=placed_at,
            )
            for index, (order_id, _buyer, product, quantity, placed_at) in enumerate(
                rows
            )
        ),
    )  # fmt: skip
    step(f"{orders:,} orders, their lines and payments", began)

    # Cases on the newest orders' lines, one each: one in ten still open.
    began = time.monotonic()
    first_case = reserve_ids(Case, cases)
    problems = list(Case.Problem)
    hour = datetime.timedelta(hours=1)
    newest = rows[-cases:]
    copy_models(
        Case,
        (
            Case(
                pk=first_case + index, customer_id=buyer, order_id=order_id,
                order_line_id=first_line + orders - cases + index,
                problem=problems[index % len(problems)], description="Where is it?",
                status=Case.Status.NEW if index % 10 == 0 else Case.Status.RESOLVED,
                first_response_due_at=placed_at + 24 * hour,
                created_at=placed_at + hour, updated_at=placed_at + hour,
                resolved_at=None if index % 10 == 0 else placed_at + 30 * hour,
            )
            for index, (order_id, buyer, _product, _q, placed_at) in enumerate(newest)
        ),
    )  # fmt: skip
    step(f"{cases:,} cases", began)

    began = time.monotonic()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    step("VACUUM ANALYZE", began)
    log(f"large shop loaded in {time.monotonic() - started:.0f} s")
    return catalog
