"""Read queries the shop's pages share, with their joins decided once."""

from django.db import connection
from django.db.models import Prefetch, Q, QuerySet, Sum, prefetch_related_objects
from django.db.models.expressions import RawSQL

from shop.images import with_first_image
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


def product_list(
    *, category: Category | None = None, query: str = ""
) -> QuerySet[Product]:
    """Active products, filtered by category and a search query.

    On PostgreSQL the query is a full-text web search over name and
    description, ranked, plus a substring match for the Japanese names
    (which have no spaces for a tokenizer to split on). Elsewhere it is a
    substring match.
    """
    products = (
        Product.objects.filter(is_active=True)
        .select_related("category")
        .prefetch_related(with_first_image())
    )
    if category is not None:
        products = products.filter(category=category)
    query = query.strip()
    if not query:
        return products.order_by("name")
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import (
            SearchQuery,
            SearchRank,
            SearchVectorField,
        )

        # The stored, GIN-indexed column of migration 0005: name weighted A,
        # description B, kept up to date by the database itself.
        vector = RawSQL(
            '"shop_product"."search_vector"', [], output_field=SearchVectorField()
        )
        search = SearchQuery(query, search_type="websearch", config="english")
        # Match with @@, not "rank > 0": ts_rank gives 1e-20, not 0, to a
        # product matching none of several words, so every product matched.
        return (
            products.annotate(matched=vector, rank=SearchRank(vector, search))
            .filter(
                Q(matched=search)
                | Q(name__icontains=query)
                | Q(name_ja__icontains=query)
                | Q(sku__iexact=query)
            )
            .order_by("-rank", "name")
        )
    return products.filter(
        Q(name__icontains=query)
        | Q(name_ja__icontains=query)
        | Q(description__icontains=query)
        | Q(description_ja__icontains=query)
        | Q(sku__iexact=query)
    ).order_by("name")


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
    """
    return Order.objects.get(buyer=buyer, pk=pk)


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
