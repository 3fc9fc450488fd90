"""Read queries the shop's pages share, with their joins decided once."""

from django.db import connection
from django.db.models import (
    Exists,
    Prefetch,
    Q,
    QuerySet,
    Sum,
    prefetch_related_objects,
)
from django.db.models.expressions import RawSQL

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
    reads its own index (migration 0015). Elsewhere (SQLite in
    ``make run``) the descriptions are matched by substring instead, and a
    typo finds nothing.
    """
    products = (
        Product.objects.filter(is_active=True)
        .select_related("category")
        .prefetch_related(with_first_image())
    )
    if category is not None:
        products = products.filter(category=category)
    order = catalog_order(language=language)
    query = query.strip()
    wanted = kana.normalize(query)
    if not wanted:
        return products.order_by(*order)
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
        # Each way of matching on its own, so that each uses its index: the
        # planner costs an OR of them as one cheap filter per row and scans
        # the table, when word similarity costs ~20 µs a row (a 2,000
        # product catalog: 40-60 ms a query instead of 1-2 ms).
        ids = Product.objects.order_by().values("pk")
        # Unqualified: inside the subquery the table has an alias (U0).
        own_vector = RawSQL("search_vector", [], output_field=SearchVectorField())
        exact = [
            ids.annotate(matched=own_vector).filter(matched=search).values("pk"),
            ids.filter(search_text__contains=wanted),
            ids.filter(sku__iexact=query),
        ]
        # A typo is forgiven only when nothing matches as typed: "lamb" finds
        # the lamps of a shop without lamb, and a shop with it only the lamb.
        # PostgreSQL checks the NOT EXISTS once, and skips this scan when an
        # exact match exists.
        forgiven = ids.filter(search_text__trigram_word_similar=wanted).filter(
            *(~Exists(branch) for branch in exact)
        )
        matching = exact[0].union(*exact[1:], forgiven)
        # Match with @@, not "rank > 0": ts_rank gives 1e-20, not 0, to a
        # product matching none of several words, so every product matched.
        return (
            products.filter(pk__in=matching)
            .annotate(
                rank=SearchRank(vector, search),
                likeness=TrigramWordSimilarity(wanted, "search_text"),
            )
            .order_by("-rank", "-likeness", *order)
        )
    return products.filter(
        Q(search_text__contains=wanted)
        | Q(description__icontains=query)
        | Q(description_ja__icontains=query)
        | Q(sku__iexact=query)
    ).order_by(*order)


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


def cart_lines(*, cart: Cart | QuerySet[Cart]) -> QuerySet[CartLine]:
    """A cart's lines with their products, in the order they were added; of
    a query of (at most one) cart, in the same query."""
    lines = CartLine.objects.select_related("product").order_by("created_at", "pk")
    if isinstance(cart, QuerySet):
        return lines.filter(cart__in=cart)
    return lines.filter(cart=cart)


def cart_page_lines(*, cart: Cart | QuerySet[Cart]) -> QuerySet[CartLine]:
    """``cart_lines`` with each product's ``first_image_key`` as columns
    (``first_image_pk``, ``first_image_at``), in the same query: what the
    cart page's cached lines are keyed on (``shop.cards.cart_line``). Only
    a line that is not cached needs its photo (``with_photos``)."""
    return cart_lines(cart=cart).annotate(**first_image_key_columns())


def cart_item_count(*, owner: User | None = None, cart_id: int | None = None) -> int:
    """Units in the customer's open cart, or in a visitor's cart by id."""
    if owner is not None:
        carts = Cart.objects.filter(owner=owner, purpose="")
    elif cart_id is not None:
        carts = Cart.objects.filter(pk=cart_id, owner=None)
    else:
        return 0
    return (
        carts.filter(status=Cart.Status.OPEN).aggregate(count=Sum("lines__quantity"))[
            "count"
        ]
        or 0
    )


def address_book(*, user: User) -> QuerySet[Address]:
    return user.addresses.all()


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

    Plain SQL through ``raw()``: the row as ``Order.objects.get(buyer=buyer,
    pk=pk)`` reads it, for half the CPU (the ORM built this statement of 24
    columns anew on every return, about 0.25 ms).
    """
    table = Order._meta.db_table
    for order in Order.objects.raw(
        f"SELECT * FROM {table} WHERE id = %s AND buyer_id = %s",  # noqa: S608
        [pk, buyer.pk],
    ):
        return order
    raise Order.DoesNotExist(f"No order {pk} of this buyer")


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
