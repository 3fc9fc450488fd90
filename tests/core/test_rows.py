"""core.rows: a hand-written statement's rows become the models the ORM
would have loaded, converters and extra columns included."""

import datetime
import zoneinfo
from datetime import timedelta

import pytest
from django.db import connection
from django.db.models import F, Q, QuerySet
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core import rows
from shop.models import Product, ProductImage, User
from tests.queries import sql_of
from tests.shop.factories import ProductFactory, UserFactory, photographed

pytestmark = pytest.mark.django_db


def _same(found, expected) -> None:
    assert type(found) is type(expected)
    for field in type(expected)._meta.concrete_fields:
        assert getattr(found, field.attname) == getattr(expected, field.attname), field
    assert found._state.adding is False and found._state.db == "default"


def test_rows_are_the_models_the_orm_loads():
    user = UserFactory(phone="+819012345678")
    (found,) = rows.fetch(User, "SELECT * FROM shop_user WHERE id = %s", [user.pk])
    _same(found, User.objects.get(pk=user.pk))
    assert found.phone.as_e164 == "+819012345678"  # the field's converter


def test_json_and_extra_columns_and_many_rows():
    """A JSON field is decoded; columns that are no field are attributes;
    the rows come in the statement's order, one model each."""
    products = photographed(ProductFactory.create_batch(3))
    images = rows.fetch(
        ProductImage,
        "SELECT i.*, p.name AS product_name FROM shop_productimage i"
        " JOIN shop_product p ON p.id = i.product_id ORDER BY i.id DESC",
    )
    expected = list(ProductImage.objects.order_by("-pk"))
    assert len(images) == len(expected) >= 3
    for found, model in zip(images, expected, strict=True):
        _same(found, model)
        assert isinstance(found.renditions, list)
        assert found.product_name == Product.objects.get(pk=model.product_id).name
    assert {image.product_id for image in images} == {p.pk for p in products}


def test_no_rows_is_an_empty_list_and_one_query():
    with CaptureQueriesContext(connection) as captured:
        assert rows.fetch(User, "SELECT * FROM shop_user WHERE id = %s", [0]) == []
    assert len(captured) == 1


def test_a_statement_without_every_field_is_refused():
    UserFactory()
    with pytest.raises(ValueError, match="password"):
        rows.fetch(User, "SELECT id, email FROM shop_user")


def test_a_saved_row_writes_back_what_it_read():
    product = ProductFactory(name="Kettle", price=3000, stock_on_hand=4)
    (found,) = rows.fetch(
        Product, "SELECT * FROM shop_product WHERE id = %s", [product.pk]
    )
    found.price = 3500
    found.save()
    product.refresh_from_db()
    assert (product.name, product.price, product.stock_on_hand) == ("Kettle", 3500, 4)


# --- Statement: a query set built once, run with new values ---------------------


def _products_in(category: int, name: str) -> QuerySet[Product]:
    return (
        Product.objects.filter(category=category, name=name)
        .select_related("category")
        .order_by("pk")
    )


def test_a_statement_runs_its_query_set_with_each_runs_values():
    """The instances, and what they select_related, as the query set loads
    them; other values, other rows; no further query to read the related."""
    kettle = ProductFactory(name="Kettle")
    other = ProductFactory(name="Kettle")  # another category
    ProductFactory(name="Teapot", category=kettle.category)
    statement = rows.Statement(_products_in)
    for product in (kettle, other):
        with CaptureQueriesContext(connection) as captured:
            (found,) = statement.fetch(category=product.category_id, name="Kettle")
            assert found.category.name == product.category.name
        assert len(captured) == 1
        _same(found, product)
    assert statement.fetch(category=kettle.category_id, name="Kettle, no") == []


def test_a_statement_is_built_once_per_database():
    built = []

    def by_name(name: str):
        built.append(name)
        return Product.objects.filter(name=name)

    statement = rows.Statement(by_name)
    ProductFactory(name="Kettle")
    assert len(statement.fetch(name="Kettle")) == 1
    assert len(statement.fetch(name="Teapot")) == 0
    assert len(statement.fetch(name="Kettle")) == 1
    # The model's, and the default database's plan (built twice, with two
    # stand-ins, to tell the values from the constants).
    assert len(built) == 3


def test_a_value_used_twice_is_given_in_both_places():
    """Order: buyer or gift recipient, the same customer in two places."""
    from shop.models import Order
    from tests.shop.factories import placed_order

    order = placed_order()

    def mine(customer: int, pk: int):
        return Order.objects.filter(
            Q(buyer=customer) | Q(gift__recipient=customer), pk=pk
        )

    statement = rows.Statement(mine)
    assert statement.get(customer=order.buyer_id, pk=order.pk) == order
    with pytest.raises(Order.DoesNotExist):
        statement.get(customer=UserFactory().pk, pk=order.pk)


def test_get_answers_as_query_set_get():
    ProductFactory.create_batch(2, name="Kettle")
    statement = rows.Statement(lambda_free_by_name)
    with pytest.raises(Product.MultipleObjectsReturned):
        statement.get(name="Kettle")
    with pytest.raises(Product.DoesNotExist):
        statement.get(name="Teapot")


def lambda_free_by_name(name: str):
    return Product.objects.filter(name=name)


def test_first_answers_as_query_set_first():
    older, _newer = ProductFactory.create_batch(2, name="Kettle")

    def oldest_by_name(name: str):
        return Product.objects.filter(name=name).order_by("pk")[:1]

    statement = rows.Statement(oldest_by_name)
    assert statement.first(name="Kettle") == older
    assert statement.first(name="Teapot") is None


def test_a_value_that_does_not_reach_the_statement_as_given_is_refused():
    """A pattern (LIKE '%value%') or a slice would run with the stand-in's
    text: building refuses instead of running the wrong query."""

    def containing(name: str):
        return Product.objects.filter(name__contains=name)

    def first(count: int):
        return Product.objects.order_by("pk")[:count]

    def also_starting(name: str):
        # Placed once as given, but also inside a pattern.
        return Product.objects.filter(Q(name=name) | Q(name__startswith=name))

    for build, values in (
        (containing, {"name": "ett"}),
        (first, {"count": 2}),
        (also_starting, {"name": "Kettle"}),
    ):
        with pytest.raises(ValueError, match="does not reach the statement"):
            rows.Statement(build).fetch(**values)


def test_only_plain_values_and_plain_query_sets():
    def untyped(name):
        return Product.objects.filter(name=name)

    def prefetching(name: str):
        return Product.objects.filter(name=name).prefetch_related("images")

    def values(name: str):
        return Product.objects.filter(name=name).values("pk")

    with pytest.raises(TypeError, match="annotate"):
        rows.Statement(untyped)
    for build in (prefetching, values):
        with pytest.raises(ValueError):
            rows.Statement(build).fetch(name="Kettle")
    with pytest.raises(TypeError, match="exactly"):
        rows.Statement(lambda_free_by_name).fetch(name="Kettle", pk=1)


def test_attach_gives_related_rows_as_prefetch_would():
    """``order.lines.all()`` answers the attached rows with no query, each
    line knows its order, and a further filter still reads only its own."""
    from shop.models import Order, OrderLine
    from tests.shop.factories import placed_order

    order = placed_order(
        None, (ProductFactory(name="Kettle"), 1), (ProductFactory(name="Cup"), 2)
    )
    placed_order()  # someone else's lines
    loaded = Order.objects.get(pk=order.pk)
    lines = list(OrderLine.objects.filter(order=order).order_by("pk"))
    rows.attach(loaded, "lines", lines)
    with CaptureQueriesContext(connection) as captured:
        assert list(loaded.lines.all()) == lines
        assert all(line.order is loaded for line in loaded.lines.all())
    assert len(captured) == 0
    assert [line.name for line in loaded.lines.filter(quantity=2)] == ["Cup"]


def test_an_integer_no_key_can_have_finds_nothing_without_a_query():
    """As the ORM answers an integer lookup out of range (SQLite could not
    even bind it)."""
    statement = rows.Statement(_products_in)
    with CaptureQueriesContext(connection) as captured:
        assert statement.fetch(category=2**63, name="Kettle") == []
        assert statement.fetch(category=-(2**63) - 1, name="Kettle") == []
    assert len(captured) == 0


def test_a_small_integer_and_a_constant_like_a_stand_in_are_told_apart():
    """A value compared with a small integer field (a cart's version) is
    placed (the ORM builds no statement for a value out of the field's
    range); a constant that happens to equal a stand-in stays a constant."""
    from shop.models import Cart

    cart = Cart.objects.create()

    def at_version(version: int, pk: int):
        return Cart.objects.filter(version=version, pk=pk).exclude(version=30_001)

    statement = rows.Statement(at_version)
    assert statement.fetch(version=cart.version, pk=cart.pk) == [cart]
    assert statement.fetch(version=cart.version + 1, pk=cart.pk) == []
    Cart.objects.filter(pk=cart.pk).update(version=30_001)
    assert statement.fetch(version=30_001, pk=cart.pk) == []


@pytest.mark.django_db(transaction=True)
def test_a_locking_statement_runs_only_inside_a_transaction():
    """As select_for_update() on the ORM: outside a transaction the lock
    would end with the statement, so it is refused, every run."""
    from django.db import transaction
    from django.db.transaction import TransactionManagementError

    product = ProductFactory(name="Kettle")

    def locked(pk: int):
        return Product.objects.select_for_update().filter(pk=pk)

    statement = rows.Statement(locked)
    with transaction.atomic():
        with CaptureQueriesContext(connection) as captured:
            assert statement.fetch(pk=product.pk) == [product]
        assert sql_of(captured[0]).endswith("FOR UPDATE")
    with pytest.raises(TransactionManagementError):
        statement.fetch(pk=product.pk)


def _made_by(moment: datetime.datetime, name: str):
    return Product.objects.filter(created_at__lte=moment, name=name).order_by("pk")


def test_a_moment_is_compared_as_the_orm_compares_it():
    """A datetime reaches the statement adapted as the backend takes it
    (PostgreSQL the aware value; SQLite, in ``make run``, a naive string
    in the connection's zone), each run with its own."""
    old, new = ProductFactory(name="Kettle"), ProductFactory(name="Kettle")
    ProductFactory(name="Cup")
    start = timezone.now()
    Product.objects.filter(pk=old.pk).update(created_at=start - timedelta(hours=2))
    Product.objects.filter(pk=new.pk).update(created_at=start - timedelta(minutes=1))
    statement = rows.Statement(_made_by)
    for moment in (
        start - timedelta(hours=3),
        start - timedelta(hours=1),
        start,
        (start - timedelta(minutes=30)).astimezone(zoneinfo.ZoneInfo("Asia/Tokyo")),
    ):
        expected = list(_made_by(moment, "Kettle"))
        assert statement.fetch(moment=moment, name="Kettle") == expected
    assert [p.pk for p in statement.fetch(moment=start, name="Kettle")] == [
        old.pk,
        new.pk,
    ]


def test_a_moment_changed_on_its_way_is_refused():
    """A datetime the lookup turns into something else (its date) would
    run as the stand-in's: refused."""

    def made_on(moment: datetime.datetime):
        return Product.objects.filter(created_at__date=moment)

    with pytest.raises(ValueError, match="does not reach the statement"):
        rows.Statement(made_on).fetch(moment=timezone.now())


# --- Update: QuerySet.update() built once ----------------------------------------


def _touch(pk: int, status: str, now: datetime.datetime):
    from shop.models import Cart

    return (
        Cart.objects.filter(pk=pk, status=status),
        {"updated_at": now, "version": F("version") + 1},
    )


def test_an_update_changes_what_update_changes_in_one_statement():
    from shop.models import Cart

    carts = [Cart.objects.create(), Cart.objects.create()]
    touch = rows.Update(_touch)
    moment = timezone.now() - timedelta(days=1)
    with CaptureQueriesContext(connection) as captured:
        assert touch.run(pk=carts[0].pk, status=Cart.Status.OPEN, now=moment) == 1
        assert touch.run(pk=carts[0].pk, status=Cart.Status.OPEN, now=moment) == 1
        assert touch.run(pk=carts[1].pk, status=Cart.Status.ORDERED, now=moment) == 0
    assert len(captured) == 3  # no BEGIN or COMMIT of its own
    assert [sql_of(c).split()[0] for c in captured] == ["UPDATE"] * 3
    first, second = (Cart.objects.get(pk=cart.pk) for cart in carts)
    assert (first.version, first.updated_at) == (carts[0].version + 2, moment)
    assert (second.version, second.updated_at) == (
        carts[1].version,
        carts[1].updated_at,
    )
    with CaptureQueriesContext(connection) as captured:
        assert touch.run(pk=2**63, status=Cart.Status.OPEN, now=moment) == 0
    assert len(captured) == 0


def test_an_update_in_more_than_one_statement_or_not_as_given_is_refused():
    from shop.models import Cart, CartLine

    def through_a_join(owner_email: str):
        return Cart.objects.filter(owner__email=owner_email), {"version": 1}

    def of_a_pattern(name: str):
        return Product.objects.filter(name__startswith=name), {"is_active": False}

    def not_using(name: str):
        return CartLine.objects.filter(quantity=2), {"quantity": 1}

    with pytest.raises(ValueError, match="join"):
        rows.Update(through_a_join).run(owner_email="a@example.com")
    with pytest.raises(ValueError, match="does not reach the statement"):
        rows.Update(of_a_pattern).run(name="Ket")
    with pytest.raises(ValueError, match="does not reach the statement"):
        rows.Update(not_using).run(name="Ket")
    with pytest.raises(TypeError, match="exactly"):
        rows.Update(of_a_pattern).run(name="Ket", pk=1)


# --- insert: rows written in one statement --------------------------------------


@pytest.mark.django_db(transaction=True)
def test_insert_writes_what_bulk_create_writes_in_one_statement():
    """Keys from the database in order, auto_now_add and JSON as the fields
    prepare them; outside a transaction, one statement and no BEGIN or
    COMMIT around it (bulk_create opens a transaction of its own)."""
    from support.models import CaseEvent
    from tests.support.factories import CaseFactory

    case = CaseFactory()
    before = CaseEvent.objects.count()
    events = [
        CaseEvent(case=case, kind="call", body="We'll call you", params={"n": 1}),
        CaseEvent(case=case, kind="call", body="cb_1 scheduled", is_public=False),
    ]
    with CaptureQueriesContext(connection) as captured:
        assert rows.insert(events) is events
    assert [sql_of(query).split()[0] for query in captured] == ["INSERT"]
    with CaptureQueriesContext(connection) as captured:
        CaseEvent.objects.bulk_create([CaseEvent(case=case, kind="note")])
    assert [sql_of(query).split()[0] for query in captured] == [
        "BEGIN",
        "INSERT",
        "COMMIT",
    ]
    assert events[0].pk < events[1].pk
    assert all(e.created_at is not None and not e._state.adding for e in events)
    for written in events:
        _same(CaseEvent.objects.get(pk=written.pk), written)
    assert CaseEvent.objects.get(pk=events[0].pk).params == {"n": 1}
    assert CaseEvent.objects.count() == before + 3


def test_insert_inside_a_transaction_joins_it():
    from django.db import transaction

    from support.models import CaseEvent
    from tests.support.factories import CaseFactory

    case = CaseFactory()
    before = CaseEvent.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        rows.insert([CaseEvent(case=case, kind="note", body="gone")])
        raise RuntimeError
    assert CaseEvent.objects.count() == before


def test_insert_refuses_a_model_whose_saving_does_more():
    """A save() of its own (the product's) or receivers of save signals
    would be skipped: such rows are the ORM's to save."""
    from django.db.models import signals

    from support.models import CaseEvent
    from tests.support.factories import CaseFactory

    with pytest.raises(ValueError, match="save"):
        rows.insert([Product(name="Kettle")])

    def listener(**kwargs):
        pass

    signals.post_save.connect(listener, sender=CaseEvent)
    try:
        with pytest.raises(ValueError, match="receivers"):
            rows.insert([CaseEvent(case=CaseFactory(), kind="note")])
    finally:
        signals.post_save.disconnect(listener, sender=CaseEvent)


def test_a_statement_of_one_columns_values_answers_them_in_order():
    """``values_list(…, flat=True)``: the column's values as the query set
    gives them (converted, in its order), and a pattern made in SQL from a
    value (``__contains=Value(…)``) takes it as a parameter of its own."""
    from django.db.models import Value

    kettles = [ProductFactory(name=f"Kettle {n}", price=100 * n) for n in (2, 1, 3)]
    ProductFactory(name="Teapot")
    ProductFactory(name="Kettle_x%")

    def keys(part: str):
        return (
            Product.objects.filter(name__contains=Value(part))
            .order_by("-price")
            .values_list("pk", flat=True)
        )

    statement = rows.Statement(keys)
    by_price = [p.pk for p in sorted(kettles, key=lambda p: -p.price)]
    assert statement.fetch(part="Kettle ") == by_price == list(keys("Kettle "))
    # The wildcards of a value are matched as they are, as __contains does.
    assert statement.fetch(part="_x%") == list(keys("_x%"))
    assert len(statement.fetch(part="_x%")) == 1
    assert statement.fetch(part="e_t") == []

    def pattern(part: str):  # made from the value by the ORM: refused
        return Product.objects.filter(name__contains=part).values_list("pk", flat=True)

    with pytest.raises(ValueError, match="parameter of its own"):
        rows.Statement(pattern).fetch(part="Kettle")


# --- Prepared once per connection -----------------------------------------------


def _prepared_here() -> dict[str, str]:
    """This connection's prepared statements: name to text."""
    with connection.cursor() as cursor:
        cursor.cursor.execute("SELECT name, statement FROM pg_prepared_statements")
        return {
            name: statement.removeprefix(f"PREPARE {name} AS ")
            for name, statement in cursor.fetchall()
        }


@pytest.mark.django_db(transaction=True)
def test_a_statement_is_prepared_once_per_connection_and_run_by_name():
    """The first run prepares it (not one of the queries counted), every
    run is one EXECUTE; a new connection prepares it again."""
    product = ProductFactory(name="Kettle")

    def named(name: str):
        return Product.objects.filter(name=name, is_active=True).order_by("pk")

    statement = rows.Statement(named)
    for _ in range(2):
        with CaptureQueriesContext(connection) as captured:
            assert statement.fetch(name="Kettle") == [product]
            assert statement.fetch(name="Teapot") == []
        assert [q["sql"].split()[0] for q in captured] == ["EXECUTE"] * 2
        sql = sql_of(captured[0])
        assert sql.startswith('SELECT "shop_product"."id"') and "$1" in sql
        assert sql in _prepared_here().values()
        connection.close()  # the next connection holds none
        assert sql not in _prepared_here().values()


def test_updates_inserts_and_hand_written_reads_are_prepared_too():
    from shop.models import Cart

    cart = Cart.objects.create()
    touch = rows.Update(_touch)
    moment = timezone.now()
    with CaptureQueriesContext(connection) as captured:
        assert touch.run(pk=cart.pk, status=Cart.Status.OPEN, now=moment) == 1
        sql = f"SELECT {rows.columns(User)} FROM shop_user WHERE id = %s"  # noqa: S608
        (found,) = rows.fetch(User, sql, [0]) or [None]
        rows.insert([Cart()])
        with connection.cursor() as cursor:
            rows.execute(
                cursor, "UPDATE shop_cart SET version = version WHERE id = %s", [0]
            )
            assert cursor.rowcount == 0
    assert found is None
    assert [q["sql"].split()[0] for q in captured] == ["EXECUTE"] * 4
    assert [sql_of(q).split()[0] for q in captured] == [
        "UPDATE",
        "SELECT",
        "INSERT",
        "UPDATE",
    ]


def test_a_statement_postgresql_cannot_prepare_runs_as_text_inside_a_transaction():
    """A parameter nothing gives a type to cannot be prepared: the statement
    runs as text, and the failed PREPARE does not fail the transaction."""
    from django.db import transaction

    user = UserFactory()
    sql = "SELECT * FROM shop_user WHERE id = %s AND %s IS NULL"
    with transaction.atomic():
        with CaptureQueriesContext(connection) as captured:
            (found,) = rows.fetch(User, sql, [user.pk, None])
            assert found == user
            assert rows.fetch(User, sql, [user.pk, "said"]) == []
        assert [q["sql"].split()[0] for q in captured] == ["SELECT"] * 2
        assert User.objects.filter(pk=user.pk).exists()  # not failed


def test_every_column_read_as_star_is_not_prepared_and_named_ones_survive_a_new_one():
    """``*`` would read one more column after a migration adds it, which a
    statement prepared before refuses to run: it runs as text. Named
    (``rows.columns``), the prepared statement reads what it read."""
    user = UserFactory()
    for star in (
        "SELECT * FROM shop_user WHERE id = %s",
        "SELECT u.* FROM shop_user u WHERE u.id = %s",
    ):
        with CaptureQueriesContext(connection) as captured:
            assert rows.fetch(User, star, [user.pk]) == [user]
        assert captured[0]["sql"].startswith("SELECT")
    named = f"SELECT {rows.columns(User, 'u')} FROM shop_user u WHERE u.id = %s"  # noqa: S608
    assert '"u"."id"' not in named and 'u."id"' in named
    with CaptureQueriesContext(connection) as captured:
        assert rows.fetch(User, named, [user.pk]) == [user]
    assert captured[0]["sql"].startswith("EXECUTE")
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE shop_user ADD COLUMN added_later integer")
    (found,) = rows.fetch(User, named, [user.pk])
    assert found == user and not hasattr(found, "added_later")


def test_named_values_are_prepared_each_once_in_order():
    user, other = UserFactory(), UserFactory()
    sql = (
        f"SELECT {rows.columns(User)} FROM shop_user"  # noqa: S608
        " WHERE (id = %(pk)s OR id = %(other)s)"
        " AND id >= LEAST(%(pk)s, %(other)s) ORDER BY id"
    )
    with CaptureQueriesContext(connection) as captured:
        found = rows.fetch(User, sql, {"other": other.pk, "pk": user.pk})
    assert found == sorted([user, other], key=lambda u: u.pk)
    assert sql_of(captured[0]) == sql.replace("%(pk)s", "$1").replace("%(other)s", "$2")


def test_a_percent_sign_and_no_parameters_are_prepared_as_written():
    ProductFactory(name="100% cotton")
    ProductFactory(name="100 cotton")
    sql = (
        f"SELECT {rows.columns(Product)} FROM shop_product"  # noqa: S608
        " WHERE name LIKE '%%\\%%%%' ESCAPE '\\'"
    )
    with CaptureQueriesContext(connection) as captured:
        found = rows.fetch(Product, sql, [])
    assert [p.name for p in found] == ["100% cotton"]
    assert captured[0]["sql"].split()[0] == "EXECUTE"
    assert sql_of(captured[0]).endswith("LIKE '%\\%%' ESCAPE '\\'")


def test_a_failed_transaction_is_not_given_a_prepare():
    """Inside a transaction that has already failed, the statement is
    refused as it would be as text (no PREPARE, no statement marked as
    not preparable)."""
    from django.db import DatabaseError, transaction

    def named(name: str):
        return Product.objects.filter(name=name)

    statement = rows.Statement(named)
    with transaction.atomic():
        with pytest.raises(DatabaseError), connection.cursor() as cursor:
            cursor.execute("SELECT 1 / 0")
        with pytest.raises(DatabaseError, match="aborted"):
            statement.fetch(name="Kettle")
        transaction.set_rollback(True)
    product = ProductFactory(name="Kettle")
    assert statement.fetch(name="Kettle") == [product]
    assert any("$1" in text for text in _prepared_here().values())


def test_not_prepared_when_the_statement_or_the_database_says_so(settings):
    product = ProductFactory(name="Kettle")

    def named(name: str):
        return Product.objects.filter(name=name)

    with CaptureQueriesContext(connection) as captured:
        assert rows.Statement(named, prepare=False).fetch(name="Kettle") == [product]
    assert captured[0]["sql"].startswith("SELECT")
    connection.settings_dict["PREPARED_STATEMENTS"] = False
    try:
        with CaptureQueriesContext(connection) as captured:
            assert rows.Statement(named).fetch(name="Kettle") == [product]
        assert captured[0]["sql"].startswith("SELECT")
    finally:
        del connection.settings_dict["PREPARED_STATEMENTS"]
