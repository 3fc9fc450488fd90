"""Read queries the shop's pages share, with their joins decided once."""

import functools
from collections.abc import Callable
from operator import attrgetter
from typing import Any

from django.db import connection
from django.db.models import (
    Case,
    Exists,
    Prefetch,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
    prefetch_related_objects,
)
from django.db.models.expressions import RawSQL

from core import pagecache, rows
from shop import kana
from shop.images import first_image_key_columns, with_first_image
from shop.models import (
    Address,
    Cart,
    CartLine,
    Category,
    Order,
    OrderLine,
    Payment,
    Product,
    ProductImage,
    Refund,
    Shipment,
    ShipmentLine,
    StoreCreditAccount,
    User,
)


def categories() -> QuerySet[Category]:
    return Category.objects.all()


def catalog_order(*, language: str) -> tuple[str, ...]:
    """How a catalog page is sorted: by the Japanese reading on Japanese
    pages (a hiragana reading's code-point order is the kana order), by the
    English name elsewhere."""
    if language.startswith("ja"):
        return ("sort_reading", "name")
    return ("name",)


# The most results a search shows ("1,000+ results" beyond): only these
# are ranked, and the count stops there (``core.paginators.CappedPaginator``).
SEARCH_RESULTS = 1000


def catalog_products() -> QuerySet[Product]:
    """Active products, each with its category and which photo is its first
    (``first_image_key_columns``: what a cached card is keyed on); the
    photos themselves only when the cards are rendered (``with_named_photos``)."""
    return (
        Product.objects.filter(is_active=True)
        .select_related("category")
        .annotate(**first_image_key_columns("pk"))
    )


def product_list(
    *, category: Category | None = None, query: str = "", language: str = "en"
) -> QuerySet[Product]:
    """Active products, filtered by category and a search query, in
    ``catalog_order`` (search results: best match first).

    A query matches, in the normalised form of ``shop.kana.normalize`` (so
    ケトル, けとる and ｹﾄﾙ alike), any part of a product's names, Japanese
    reading and search words (``Product.search_text``), or a SKU in any
    case. On PostgreSQL it also matches as a web search over the stored
    ``search_vector`` (English stemming: "kettles" finds "kettle"), and
    when nothing matches as typed it forgives typos: a product with a word
    trigram-similar to the query ("ketle" finds "kettle";
    ``pg_trgm.word_similarity_threshold``, 0.6 by default). Each branch
    reads its own index (migration 0015). Only ``SEARCH_RESULTS`` + 1
    exact candidates are ranked: the first the plan finds (in the
    table's order); typo matches are all ranked. Elsewhere (SQLite in
    ``make run``) the descriptions are matched by substring instead, and a
    typo finds nothing.
    """
    products = catalog_products()
    if category is not None:
        products = products.filter(category=category)
    order = catalog_order(language=language)
    query = query.strip()
    wanted = kana.normalize(query)
    if not wanted:
        return products.order_by(*order)
    return _searched(products, wanted=wanted, query=query, order=order)


def search_keys(
    *, query: str, category: Category | None = None, language: str = "en"
) -> list[int]:
    """The keys of ``product_list``'s first ``SEARCH_RESULTS`` + 1 results
    for ``query`` (not blank), in its order. On PostgreSQL the statement is
    built once per process for each way of listing (``core.rows.Statement``):
    building a search's query (its three ways of matching, twice, and the
    ranking) cost more CPU than PostgreSQL took to run it."""
    query = query.strip()
    wanted = kana.normalize(query)
    order = catalog_order(language=language)
    if connection.vendor != "postgresql" or not wanted:
        found = product_list(category=category, query=query, language=language)
        return list(found.values_list("pk", flat=True)[: SEARCH_RESULTS + 1])
    statement = _search_statement(order, category is not None, SEARCH_RESULTS)
    if category is None:
        return statement.fetch(wanted=wanted, query=query)
    return statement.fetch(wanted=wanted, query=query, category=category.pk)


@functools.cache
def _search_statement(
    order: tuple[str, ...], in_category: bool, results: int
) -> rows.Statement:
    def keys(products: QuerySet[Product], wanted: str, query: str):
        found = _searched(products, wanted=wanted, query=query, order=order)
        return found.values_list("pk", flat=True)[: results + 1]

    if in_category:

        def build(wanted: str, query: str, category: int):
            return keys(catalog_products().filter(category=category), wanted, query)

    else:

        def build(wanted: str, query: str):
            return keys(catalog_products(), wanted, query)

    # Not prepared: the plan for a rare word (its indexes) is not the one
    # for a common word (the table), and a prepared statement may keep one.
    return rows.Statement(build, prepare=False)


def _searched(
    products: QuerySet[Product], *, wanted: str, query: str, order: tuple[str, ...]
) -> QuerySet[Product]:
    """``products`` matching ``query`` (``wanted``: normalised), best first:
    ``product_list``'s search."""
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import (
            SearchQuery,
            SearchRank,
            SearchVectorField,
            TrigramWordSimilarity,
        )

        # The stored, GIN-indexed column of migrations 0005 and 0015, kept
        # up to date by the database itself.
        vector = RawSQL(
            '"shop_product"."search_vector"', [], output_field=SearchVectorField()
        )
        search = SearchQuery(wanted, search_type="websearch", config="english")
        # The term as an expression, not a value: the pattern is made in SQL
        # (its wildcards escaped there), so the statement's parameter is the
        # term itself (search_keys' Statement) and PostgreSQL, folding the
        # constant, still matches it through the trigram index.
        term = Value(wanted)
        # Candidates: the products that match, filtered as the page is, at
        # most SEARCH_RESULTS + 1 of them (one more tells the paginator
        # there are more). Only they are ranked: a word in a tenth of a
        # 200,000-product shop matches 20,000, and reading each to rank it
        # read the whole table (0.2-0.4 s a search). The first the plan
        # finds, in the table's order: the planner combines the indexes and
        # stops at the cap, or, for a word in many products, reads the table
        # until it has them. Not "newest first": walking the key backwards
        # read 60,000-160,000 rows when the planner overestimated the matches
        # ("copper lamp": 1,250 of 200,000, estimated 3,217; ~100 ms).
        scope = products.order_by()
        # Unqualified: inside a subquery the table has an alias (U0).
        own_vector = RawSQL("search_vector", [], output_field=SearchVectorField())
        as_typed = (
            Q(matched=search) | Q(search_text__contains=term) | Q(sku__iexact=query)
        )
        exact = (
            scope.annotate(matched=own_vector)
            .filter(as_typed)
            .values("pk")[: SEARCH_RESULTS + 1]
        )
        # A typo is forgiven only when nothing matches as typed: "lamb" finds
        # the lamps of a shop without lamb, and a shop with it only the lamb.
        # Each way of matching in its own NOT EXISTS, so that each uses its
        # index; PostgreSQL checks them once, and then skips the typo scan.
        # Over the whole catalog, as before candidates were capped: a word
        # found in another category is not a typo in this one.
        ids = Product.objects.order_by().values("pk")
        nothing_as_typed = [
            ~Exists(ids.annotate(matched=own_vector).filter(matched=search)),
            ~Exists(ids.filter(search_text__contains=term)),
            ~Exists(ids.filter(sku__iexact=query)),
        ]
        # Not limited: with a LIMIT the planner reads the table in order
        # (it costs word similarity as a cheap operator), 16,000 rows and
        # ~290 ms for "ketle" on 200,000 products; without, it reads the
        # trigram index, whose matches it must recheck anyway.
        forgiven = (
            scope.filter(search_text__trigram_word_similar=wanted)
            .filter(*nothing_as_typed)
            .values("pk")
        )
        matching = exact.union(forgiven, all=True)
        # Exact matches by ts_rank alone; word similarity (~20 µs a row)
        # only for the typo candidates, when no exact match exists.
        # Match with @@, not "rank > 0": ts_rank gives 1e-20, not 0, to a
        # product matching none of several words, so every product matched.
        return (
            products.filter(pk__in=matching)
            .annotate(
                rank=SearchRank(vector, search),
                likeness=Case(
                    When(
                        Q(*nothing_as_typed),
                        then=TrigramWordSimilarity(wanted, "search_text"),
                    ),
                    default=Value(0.0),
                ),
            )
            .order_by("-rank", "-likeness", *order)
        )
    return products.filter(
        Q(search_text__contains=wanted)
        | Q(description__icontains=query)
        | Q(description_ja__icontains=query)
        | Q(sku__iexact=query)
    ).order_by(*order)


def catalog_count(*, category: Category | None = None) -> int:
    """How many products ``product_list`` shows without a query: counted
    once for each change of the catalog (``core.pagecache.kept``), not on
    every page (200,000 products: 15 ms a count)."""
    return pagecache.kept(
        "catalog",
        f"count:{category.pk if category else 'all'}",
        lambda: product_list(category=category).count(),
    )


def product_detail(*, slug: str) -> Product:
    """An active product with its category and all its photos, in order."""
    return (
        Product.objects.select_related("category")
        .prefetch_related("images")
        .get(slug=slug, is_active=True)
    )


def with_photos(products) -> None:
    """Fetch the first photo of each of ``products`` (models already
    loaded, as a quote's lines give them): one query for any number."""
    prefetch_related_objects(
        [product for product in products if product is not None], with_first_image()
    )


def with_named_photos(
    rows: list, *, product: Callable[[Any], Product] = attrgetter("product")
) -> list:
    """Fetch the photo each of ``rows`` names in its ``first_image_pk``
    (``first_image_key_columns``: cart lines of ``cart_page_lines``, or
    products of ``catalog_products`` with ``product`` the row itself), as
    ``with_photos`` would give it to the row's product: by key, in one plain
    query, without picking each product's first photo again (the window
    ``with_first_image`` needs costs most of a cart page's CPU). A photo
    deleted since the rows were read is shown as none; the next read names
    another. Returns ``rows``."""
    photos = ProductImage.objects.in_bulk(
        [row.first_image_pk for row in rows if row.first_image_pk is not None]
    )
    for row in rows:
        photo = photos.get(row.first_image_pk)
        product(row).first_images = [photo] if photo is not None else []
    return rows


def cart_lines(*, cart: Cart | QuerySet[Cart]) -> QuerySet[CartLine]:
    """A cart's lines with their products, in the order they were added; of
    a query of (at most one) cart, in the same query."""
    lines = CartLine.objects.select_related("product").order_by("created_at", "pk")
    if isinstance(cart, QuerySet):
        return lines.filter(cart__in=cart)
    return lines.filter(cart=cart)


def cart_page_lines(
    *, owner_id: int | None = None, cart_id: int | None = None
) -> list[CartLine]:
    """The lines of a customer's open cart (``owner_id``) or of a visitor's
    (``cart_id``), as ``cart_lines`` gives them, each with its product's
    ``first_image_key`` as ``first_image_pk`` and ``first_image_at``, in
    one query: what the cart page's cached lines are keyed on
    (``shop.cards.cart_line``). Only a line that is not cached needs its
    photo (``with_photos``).

    Plain SQL around the ORM's own product-and-photo statement, built once
    per process: built by the ORM on each request the read cost about 1 ms
    of CPU, most of the cart page's."""
    if owner_id is not None:
        which, value = "c.owner_id = %s", owner_id
    else:
        which, value = "c.id = %s AND c.owner_id IS NULL", cart_id
    quote = connection.ops.quote_name
    found = rows.fetch(
        Product,
        f"SELECT p.*, l.id AS line_id, l.cart_id AS line_cart_id,"  # noqa: S608 - no input in it
        f" l.quantity AS line_quantity, l.submission_key AS line_submission_key,"
        f" l.created_at AS line_created_at"
        f" FROM {quote(CartLine._meta.db_table)} l"
        f" JOIN {quote(Cart._meta.db_table)} c ON c.id = l.cart_id"
        f" JOIN ({_products_with_first_image()}) p ON p.id = l.product_id"
        f" WHERE {which} AND c.status = %s AND c.purpose = ''"
        f" ORDER BY l.created_at, l.id",
        [value, Cart.Status.OPEN],
    )
    lines = []
    for product in found:
        line = CartLine(
            pk=product.line_id,
            cart_id=product.line_cart_id,
            product=product,
            quantity=product.line_quantity,
            submission_key=product.line_submission_key,
            created_at=product.line_created_at,
        )
        line.first_image_pk = product.first_image_pk
        line.first_image_at = product.first_image_at
        lines.append(line)
    return lines


@functools.cache
def _products_with_first_image() -> str:
    """Products with ``first_image_key_columns``, as the ORM writes it: the
    first photo's rule stays in one place (``shop.images``)."""
    query = Product.objects.order_by().annotate(**first_image_key_columns("pk"))
    sql, params = query.query.sql_with_params()
    if params:  # none today; a parameter would need passing along
        raise ValueError("the product statement has parameters")
    return sql


def _owners_cart_count(owner: int) -> QuerySet[Cart]:
    return Cart.objects.filter(
        owner=owner, purpose="", status=Cart.Status.OPEN
    ).annotate(item_count=Sum("lines__quantity"))


def _visitors_cart_count(cart: int) -> QuerySet[Cart]:
    return Cart.objects.filter(pk=cart, owner=None, status=Cart.Status.OPEN).annotate(
        item_count=Sum("lines__quantity")
    )


# Built once per process: every page's header shows the count.
_OWNERS_CART_COUNT = rows.Statement(_owners_cart_count)
_VISITORS_CART_COUNT = rows.Statement(_visitors_cart_count)


def cart_item_count(*, owner: User | None = None, cart_id: int | None = None) -> int:
    """Units in the customer's open cart, or in a visitor's cart by id."""
    if owner is not None:
        carts = _OWNERS_CART_COUNT.fetch(owner=owner.pk)
    elif cart_id is not None:
        carts = _VISITORS_CART_COUNT.fetch(cart=int(cart_id))
    else:
        return 0
    return sum(cart.item_count or 0 for cart in carts)


def address_book(*, user: User) -> QuerySet[Address]:
    return user.addresses.all()


def _own_address(user: int, pk: int) -> QuerySet[Address]:
    return Address.objects.filter(user=user, pk=pk)


# Built once per process: every checkout posts the address to ship to.
_OWN_ADDRESS = rows.Statement(_own_address)


def own_address(*, user: User, pk: int) -> Address:
    """One of ``user``'s own addresses, ``Address.DoesNotExist`` for anyone
    else's: the addresses a checkout may ship to (``address_book``)."""
    return _OWN_ADDRESS.get(user=user.pk, pk=pk)


def _lines_with_photos() -> QuerySet[OrderLine]:
    return (
        OrderLine.objects.select_related("product")
        .prefetch_related(with_first_image("product__images"))
        .order_by("pk")
    )


def orders_for_buyer(*, buyer: User) -> QuerySet[Order]:
    """The buyer's orders for their history page, lines prefetched."""
    return Order.objects.filter(buyer=buyer).prefetch_related(
        Prefetch("lines", queryset=_lines_with_photos())
    )


def buyer_order(*, buyer: User, pk: int) -> Order:
    """One of the buyer's orders, the row alone: for the payment views,
    which show none of its lines (the return page is on every order's way).

    Raises ``Order.DoesNotExist`` for anyone else's order.

    Its statement is built once per process (``core.rows.Statement``): the
    ORM built this statement of 24 columns anew on every return, about
    0.25 ms, half the read's CPU.
    """
    return _BUYER_ORDER.get(buyer=buyer.pk, pk=pk)


def _buyer_order(buyer: int, pk: int) -> QuerySet[Order]:
    return Order.objects.filter(buyer=buyer, pk=pk)


_BUYER_ORDER = rows.Statement(_buyer_order)


def order_for_buyer(*, buyer: User, pk: int) -> Order:
    """One of the buyer's orders with everything its page shows.

    Raises ``Order.DoesNotExist`` for anyone else's order.
    """
    return (
        Order.objects.filter(buyer=buyer)
        .prefetch_related(
            Prefetch("lines", queryset=_lines_with_photos()),
            Prefetch(
                "shipments",
                queryset=Shipment.objects.prefetch_related(
                    Prefetch(
                        "lines",
                        queryset=ShipmentLine.objects.select_related("order_line"),
                    )
                ),
            ),
            "payments",
        )
        .get(pk=pk)
    )


def unshipped_quantities(order: Order) -> dict[int, int]:
    """Units of each order line not yet in any shipment, by line id."""
    allocated = dict(
        ShipmentLine.objects.filter(
            order_line__order=order, shipment__reason=Shipment.Reason.ORDER
        )
        .values("order_line")
        .annotate(total=Sum("quantity"))
        .values_list("order_line", "total")
    )
    return {
        line.pk: line.quantity - allocated.get(line.pk, 0)
        for line in OrderLine.objects.filter(order=order)
    }


def store_credit_balance(*, user: User) -> int:
    """The customer's store credit, in the minor unit (0 without an account)."""
    return (
        StoreCreditAccount.objects.filter(user=user)
        .values_list("balance", flat=True)
        .first()
        or 0
    )


def refundable_amount(order_line: OrderLine) -> int:
    """What is left to refund of a line: its price less refunds not failed."""
    refunded = (
        order_line.refunds.exclude(status=Refund.Status.FAILED).aggregate(
            total=Sum("amount")
        )["total"]
        or 0
    )
    return order_line.subtotal - refunded


def refundable_tenders(order: Order) -> list[tuple[Payment, int]]:
    """The order's payments in the order refunds take from them (cards
    first, then store credit; see ``refund_order_line``), each with what it
    has left to give back: what it paid less its parts of refunds not
    failed. One query."""
    payments = list(
        order.payments.filter(status=Payment.Status.CAPTURED)
        .annotate(
            refunded=Sum(
                "refund_parts__amount",
                filter=~Q(refund_parts__refund__status=Refund.Status.FAILED),
                default=0,
            )
        )
        .order_by("pk")
    )
    payments.sort(key=lambda payment: payment.provider == Payment.STORE_CREDIT)
    return [(payment, payment.amount - payment.refunded) for payment in payments]


def refunds_of(
    *, order: Order, order_line: OrderLine | None = None
) -> QuerySet[Refund]:
    """The refunds of an order (or of one of its lines), oldest first, each
    with its line, who asked and its parts (each tender's share) with their
    payments: what staff pages show of refunds, a refused one's reason
    included. Two queries, however many."""
    refunds = Refund.objects.filter(order=order)
    if order_line is not None:
        refunds = refunds.filter(order_line=order_line)
    return (
        refunds.select_related("order_line", "actor")
        .prefetch_related("parts__payment")
        .order_by("created_at", "pk")
    )
