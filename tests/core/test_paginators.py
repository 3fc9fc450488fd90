"""A list over a table of a million rows is not counted row by row."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.paginators import CappedPaginator, EstimatedCountPaginator
from shop.models import Order, Product
from tests.queries import queries_for, sql_of
from tests.shop.factories import ProductFactory, placed_order

pytestmark = pytest.mark.django_db


class SmallThreshold(EstimatedCountPaginator):
    exact_below = 2


def _orders(count: int) -> None:
    product = ProductFactory(stock_on_hand=100)
    for _ in range(count):
        placed_order(None, (product, 1))


def _analyze() -> None:
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE shop_order")


def test_an_unfiltered_large_table_is_counted_from_the_statistics():
    _orders(3)
    _analyze()
    _orders(2)  # after the statistics: the estimate still says 3
    assert SmallThreshold(Order.objects.all(), 10).count == 3
    # Exact below the threshold, and whenever something filters the list.
    assert EstimatedCountPaginator(Order.objects.all(), 10).count == 5
    assert SmallThreshold(Order.objects.filter(total__gte=0), 10).count == 5
    assert SmallThreshold(Order.objects.none(), 10).count == 0


def test_the_order_list_runs_no_count_over_every_order(staff_client, monkeypatch):
    monkeypatch.setattr(EstimatedCountPaginator, "exact_below", 2)
    _orders(3)
    _analyze()
    sql = queries_for(staff_client, reverse("admin:shop_order_changelist"))
    counts = [query for query in sql if "COUNT(" in query.upper()]
    assert not any("WHERE" not in query.upper() for query in counts), counts
    # Nor the date hierarchy's DISTINCT over every order.
    assert not any("DISTINCT" in query.upper() for query in sql), sql


def test_keys_first_pages_hold_the_same_rows_in_the_same_order():
    from django.core.paginator import Paginator

    from core.paginators import KeysFirstPaginator
    from shop.models import Product

    ProductFactory.create_batch(7)
    products = Product.objects.order_by("name")
    for number in (1, 2, 3):
        plain = list(Paginator(products, 3).page(number))
        page = KeysFirstPaginator(products, 3).page(number)
        # The page's keys are read first, in a subquery of the same query.
        sql = str(page.object_list.query)
        assert "IN (SELECT" in sql and " LIMIT " in sql, sql
        assert list(page) == plain


def test_a_capped_count_stops_at_the_cap_and_says_there_are_more():
    capped = CappedPaginator(list(range(11)), 3, cap=10)
    assert (capped.count, capped.capped, capped.num_pages) == (10, True, 4)
    assert list(capped.get_page(99).object_list) == [9]  # no page past the cap
    exact = CappedPaginator(list(range(10)), 3, cap=10)
    assert (exact.count, exact.capped, exact.num_pages) == (10, False, 4)


def test_a_capped_list_of_keys_is_read_once_and_its_page_by_key():
    """With ``rows``, the capped list is read for its keys once (for the
    count and every page), and a page's rows come by key, in the list's
    order; a row gone since (deactivated) leaves its place empty, no error."""
    products = ProductFactory.create_batch(7)
    ranked = Product.objects.filter(pk__in=[p.pk for p in products]).order_by(
        "-price", "-pk"
    )
    expected = list(ranked)
    rows = Product.objects.filter(is_active=True).select_related("category")
    keys = ranked.values_list("pk", flat=True)
    paginator = CappedPaginator(keys, 3, cap=5, rows=rows)
    with CaptureQueriesContext(connection) as captured:
        assert (paginator.count, paginator.capped, paginator.num_pages) == (5, True, 2)
        first, second = paginator.page(1), paginator.page(2)
        assert list(first) == expected[:3]
        assert list(second) == expected[3:5]
        assert second.object_list[0].category.name  # from the rows' query
    keys, *by_key = [sql_of(q) for q in captured.captured_queries]
    assert keys.startswith('SELECT "shop_product"."id" AS "pk"'), keys
    assert keys.endswith("LIMIT 6"), keys
    assert len(by_key) == 2 and all(" IN (" in sql for sql in by_key)

    expected[1].is_active = False
    expected[1].save()
    assert list(paginator.page(1)) == [expected[0], expected[2]]
