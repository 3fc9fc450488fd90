"""Placing an order: check, then write everything in one transaction; the
card part is paid on the provider's page afterwards (``payments``)."""

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from core import rows
from shop import confirmations, metrics, payments
from shop.exceptions import AddressNotAllowed, CartChanged, EmptyCart
from shop.models import (
    Address,
    Cart,
    CartLine,
    Order,
    OrderEvent,
    OrderLine,
    Product,
    User,
)
from shop.pricing import Totals, totals_for
from shop.selectors import store_credit_balance
from shop.services.payments import record_tenders
from shop.services.stock import check_in_stock, refuse_line, take_stock
from shop.tasks import send_order_confirmations


@dataclass(frozen=True)
class Destination:
    """Where an order ships.

    A buyer's own checkout ships to one of their addresses. Another app may
    ship to someone else's address by marking it ``hidden_from_buyer`` with a
    ``display_name``: the buyer then sees only that name and the region.
    """

    address: Address
    hidden_from_buyer: bool = False
    display_name: str = ""


class _AlreadyPlaced(Exception):
    def __init__(self, order: Order) -> None:
        self.order = order


_LINE_MODELS = (CartLine, Product, Cart)


def _cart_lines(
    *, pk: int, owner: User | None = None, purpose: str | None = None
) -> list[CartLine]:
    """The lines of cart ``pk`` (if it is ``owner``'s, for ``purpose``, when
    given), with their products, each with the cart as read in the same
    statement (its version goes with these lines), in product order.

    What ``CartLine.objects.select_related("product", "cart").filter(cart__…)
    .order_by("product_id")`` reads, as plain SQL: every checkout reads it,
    and the ORM built the three-table join of 34 columns anew each time
    (about 0.5 ms of CPU, half of the read). None of these models' fields
    converts its database value (``test_cart_lines_read_as_the_orm_reads``).
    """
    tables = [connection.ops.quote_name(model._meta.db_table) for model in _LINE_MODELS]
    fields = [model._meta.concrete_fields for model in _LINE_MODELS]
    columns = ", ".join(
        f'{table}."{field.column}"'
        for table, model_fields in zip(tables, fields, strict=True)
        for field in model_fields
    )
    line, product, cart = tables
    where, parameters = [f"{cart}.id = %s"], [pk]
    if owner is not None:
        where.append(f"{cart}.owner_id = %s")
        parameters.append(owner.pk)
    if purpose is not None:
        where.append(f"{cart}.purpose = %s")
        parameters.append(purpose)
    with connection.cursor() as cursor:
        rows.execute(
            cursor,
            f"SELECT {columns} FROM {line} "  # noqa: S608 (our tables)
            f"JOIN {product} ON {product}.id = {line}.product_id "
            f"JOIN {cart} ON {cart}.id = {line}.cart_id "
            f"WHERE {' AND '.join(where)} ORDER BY {line}.product_id",
            parameters,
        )
        found = cursor.fetchall()
    # Each line with its product and the cart cached, as select_related
    # leaves them.
    names = [[field.attname for field in model_fields] for model_fields in fields]
    first, second = len(names[0]), len(names[0]) + len(names[1])
    to_product, to_cart = CartLine.product.field, CartLine.cart.field
    lines = []
    for row in found:
        cart_line = CartLine.from_db(connection.alias, names[0], row[:first])
        to_product.set_cached_value(
            cart_line, Product.from_db(connection.alias, names[1], row[first:second])
        )
        to_cart.set_cached_value(
            cart_line, Cart.from_db(connection.alias, names[2], row[second:])
        )
        lines.append(cart_line)
    return lines


def _totals(lines: list[CartLine]) -> Totals:
    return totals_for(sum(line.subtotal for line in lines))


def checkout_cart(
    *, cart_id: int, buyer: User, purpose: str = ""
) -> tuple[Cart | None, list[CartLine]]:
    """The buyer's cart ``cart_id`` (for ``purpose``) and its lines with
    their products, as ``place_order(lines=...)`` takes them: one query for
    a cart with lines, a second one only for an empty cart. Each line holds
    the cart as that statement read it."""
    lines = _cart_lines(pk=cart_id, owner=buyer, purpose=purpose)
    if lines:
        return lines[0].cart, lines
    return Cart.objects.filter(pk=cart_id, owner=buyer, purpose=purpose).first(), []


def quote(*, cart: Cart) -> tuple[list[CartLine], Totals]:
    """The cart's lines and totals as checkout shows them."""
    lines = _cart_lines(pk=cart.pk)
    return lines, _totals(lines)


def place_order(
    *,
    cart: Cart,
    buyer: User,
    destination: Destination,
    expected_total: int,
    use_store_credit: bool = False,
    within: Callable[[Order], None] | None = None,
    lines: list[CartLine] | None = None,
) -> Order:
    """Turn the buyer's cart into an order, or change nothing at all.

    Guarantees:
    - Idempotent per cart: a second call for the same cart (a double click,
      a resubmitted form, another tab) returns the first order.
    - One transaction claims the cart only if its version is still the one
      read with the lines (any change to the lines renews it) and the total
      is the one the buyer saw (``expected_total``); takes each product's
      stock only if it is still sold, at that price and in stock (in id
      order, so parallel orders cannot deadlock); with
      ``use_store_credit`` spends the buyer's credit first (the account
      locked and checked again); and writes order, lines, payments and
      timeline together. ``within(order)``, if given, runs inside that same
      transaction, so another app's rows (a gift) commit with the order or
      not at all; it may raise a ``ShopError`` to refuse.
    - An order the store credit pays in full is *placed* at once and never
      goes to the payment provider. Any other is *awaiting payment*, its
      stock and credit held, with a pending card payment for the rest:
      ``payments.start_payment`` opens the provider's page for it, and the
      provider's word places or cancels it (``shop.services.payments``).
      No card number ever reaches this code.
    - The confirmation email goes out once the order is placed, through an
      outbox (``shop.confirmations``).
    - Never inside a caller's transaction: it commits its own, or raises
      ``RuntimeError`` before writing anything (a durable atomic block).
      ``within`` is how another app writes with the order.

    ``lines`` are the cart's lines as ``checkout_cart`` reads them, if the
    caller has just done so; they are read here otherwise.
    """
    if cart.status != Cart.Status.OPEN:
        # An order exists exactly when its cart was marked ordered (in the
        # same transaction), so an open cart needs no look-up; one that
        # turned ordered meanwhile is caught under the cart's lock below.
        return _order_placed_with(cart)
    if cart.owner_id != buyer.pk:
        raise CartChanged()
    address = destination.address
    if not destination.hidden_from_buyer and address.user_id != buyer.pk:
        raise AddressNotAllowed()

    if lines is None:
        lines = _cart_lines(pk=cart.pk)
    if not lines:
        raise EmptyCart()
    if lines[0].cart.status != Cart.Status.OPEN:
        return _order_placed_with(cart)
    check_in_stock(
        lines=lines, products={line.product_id: line.product for line in lines}
    )
    totals = _totals(lines)
    if totals.total != expected_total:
        raise CartChanged()

    credit = 0
    if use_store_credit:
        credit = min(store_credit_balance(user=buyer), totals.total)
    try:
        # Durable: an order must not be rolled back by a caller after it
        # was sent to pay.
        with transaction.atomic(durable=True):
            order = _write_order(
                cart=cart,
                lines=lines,
                buyer=buyer,
                destination=destination,
                charged=totals,
                credit=credit,
            )
            if within is not None:
                within(order)
            if order.status == Order.Status.PLACED:
                # Robust: the order stands if the cache or the broker is
                # down; Beat's sweep sends its confirmation then.
                transaction.on_commit(confirm_soon, robust=True)
                transaction.on_commit(
                    metrics.ORDERS_PLACED.labels(payment="store_credit").inc
                )
    except _AlreadyPlaced as placed:
        return placed.order
    return order


def _order_placed_with(cart: Cart) -> Order:
    """The order a cart that is no longer open was placed with; a cart
    closed without one has changed under the buyer (``CartChanged``)."""
    existing = Order.objects.filter(cart=cart).first()
    if existing is None:
        raise CartChanged()
    return existing


def confirm_soon() -> None:
    """Have the confirmations of new orders sent, unless a send is already
    queued and not started: it will find this order too."""
    if cache.add(confirmations.QUEUED, True, confirmations.QUEUED_SECONDS):
        send_order_confirmations.apply_async(countdown=confirmations.GATHER_SECONDS)


def _claim_cart(pk: int, version: int, now: datetime.datetime):
    return (
        Cart.objects.filter(pk=pk, status=Cart.Status.OPEN, version=version),
        {"status": Cart.Status.ORDERED, "updated_at": now, "version": F("version") + 1},
    )


# Built once per process: every order placed claims its cart.
_CLAIM_CART = rows.Update(_claim_cart)


def _write_order(
    *,
    cart: Cart,
    lines: list[CartLine],
    buyer: User,
    destination: Destination,
    charged: Totals,
    credit: int,
) -> Order:
    # Claim the cart, if its lines are still the ones checked and charged
    # for: marking it ordered also locks its row until the transaction ends,
    # and a rollback reopens it. A second request for the same cart waits
    # here, then finds the first one's order.
    claimed = _CLAIM_CART.run(
        pk=cart.pk, version=lines[0].cart.version, now=timezone.now()
    )
    if not claimed:
        placed = Order.objects.filter(cart=cart).first()
        if placed is not None:
            raise _AlreadyPlaced(placed)
        raise CartChanged()

    address = destination.address
    card = charged.total - credit
    (order,) = rows.insert(
        [
            Order(
                buyer=buyer,
                status=Order.Status.AWAITING_PAYMENT if card else Order.Status.PLACED,
                cart=cart,
                email=buyer.email,
                currency=settings.SHOP_CURRENCY,
                subtotal=charged.subtotal,
                shipping_fee=charged.shipping_fee,
                total=charged.total,
                ship_to_name=address.recipient_name,
                ship_to_country=address.country,
                ship_to_postal_code=address.postal_code,
                ship_to_region=address.region,
                ship_to_city=address.city,
                ship_to_line1=address.line1,
                ship_to_line2=address.line2,
                ship_to_phone=address.phone,
                ship_to_hidden_from_buyer=destination.hidden_from_buyer,
                ship_to_display_name=destination.display_name,
            )
        ]
    )
    rows.insert(
        [
            OrderLine(
                order=order,
                product=line.product,
                sku=line.product.sku,
                name=line.product.name,
                name_ja=line.product.name_ja,
                unit_price=line.product.price,
                quantity=line.quantity,
            )
            for line in lines
        ]
    )
    record_tenders(
        order=order,
        buyer=buyer,
        credit=credit,
        card=card,
        provider_name=payments.get_provider().name,
    )
    rows.insert(
        [
            OrderEvent(
                order=order,
                actor=buyer,
                kind=OrderEvent.Kind.AWAITING_PAYMENT
                if card
                else OrderEvent.Kind.PLACED,
            )
        ]
    )

    # Last, so each product's row is locked for as short a time as can be:
    # on sale day every order of a hot product queues for it. Its stock, if
    # it is still sold at the price charged, in id order so parallel orders
    # cannot deadlock. The UPDATE's lock is a FOR NO KEY UPDATE one: rows
    # that only refer to the product (these order lines, carts adding it)
    # do not queue behind it.
    for line in sorted(lines, key=lambda line: line.product_id):
        product = line.product
        if not take_stock(product=product, quantity=line.quantity, price=product.price):
            refuse_line(line=line)
    return order
