"""Changing carts. Every change to a cart's lines goes through ``_touch``
in its transaction: it locks the cart row, so two tabs adding at once can't
trip over each other, and gives the cart a new version, so checkout knows
the lines it checked are still the lines."""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from core import rows, submissions
from shop.exceptions import CartClosed, InvalidQuantity, ProductUnavailable
from shop.models import Cart, CartLine, Product, User


def _max_quantity(product: Product) -> int:
    return min(product.stock_on_hand, settings.SHOP_MAX_LINE_QUANTITY)


def _check_quantity(product: Product, quantity: int) -> None:
    if quantity < 1:
        raise InvalidQuantity(_("Choose a quantity of at least 1."))
    if product.stock_on_hand < 1:
        raise InvalidQuantity(
            _("%(product)s is out of stock.") % {"product": product.display_name}
        )
    if quantity > _max_quantity(product):
        raise InvalidQuantity(
            _("You can have at most %(count)d of %(product)s in your cart.")
            % {"count": _max_quantity(product), "product": product.display_name}
        )


def _lock(cart: Cart) -> Cart:
    return Cart.objects.select_for_update().get(pk=cart.pk)


def _touch(cart: Cart) -> None:
    """Mark the open cart as changed now, with a new version; the UPDATE
    also locks its row until the transaction ends, as ``_lock`` would, in
    one statement instead of two. A cart ordered since it was read (the
    checkout in another tab committed first) raises ``CartClosed``: a line
    added to it would belong to no order and be in no cart."""
    cart.updated_at = timezone.now()
    if not _TOUCH.run(pk=cart.pk, now=cart.updated_at):
        raise CartClosed()


def _touched_if_open(pk: int, now: datetime.datetime):
    return (
        Cart.objects.filter(pk=pk, status=Cart.Status.OPEN),
        {"updated_at": now, "version": F("version") + 1},
    )


# Built once per process: every change to a cart touches it.
_TOUCH = rows.Update(_touched_if_open)


@dataclass(frozen=True)
class OpenCart:
    """A request's open cart, not loaded: a customer's (``owner_id``) or the
    visitor's cart the session points at (``cart_id``). ``add_to_cart``
    finds, renews and locks it with one statement."""

    owner_id: int | None = None
    cart_id: int | None = None


def _touch_open(cart: OpenCart) -> int:
    """``_touch`` for an ``OpenCart``: renew and lock it, and return its id;
    ``CartClosed`` if there is no such open cart. One ``UPDATE … RETURNING``
    where the ORM needs a read and an update."""
    if cart.owner_id is not None:
        which, value = "owner_id = %s", cart.owner_id
    else:
        which, value = "id = %s AND owner_id IS NULL", cart.cart_id
    table = connection.ops.quote_name(Cart._meta.db_table)
    with connection.cursor() as cursor:
        rows.execute(
            cursor,
            f"UPDATE {table} SET updated_at = %s, version = version + 1"  # noqa: S608 - no input in it
            f" WHERE {which} AND status = %s AND purpose = '' RETURNING id",
            [timezone.now(), value, Cart.Status.OPEN],
        )
        row = cursor.fetchone()
    if row is None:
        raise CartClosed()
    return row[0]


def create_cart(
    *, owner: User | None, purpose: str = "", submission_key: str | None = None
) -> Cart:
    """A new open cart; for a customer, their one open cart for ``purpose``.

    Guarantees: a visitor's cart opened by a form submission is opened once
    for it: the twin of a double click (``submission_key``) gets the same
    cart, so both requests' sessions point at it. A customer has one open
    cart per purpose (a unique constraint), however many requests ask.
    """
    if owner is None:
        if not submission_key:
            return Cart.objects.create(purpose=purpose)
        cart, _created = submissions.create_once(
            Cart.objects.filter(submission_key=submission_key),
            lambda: Cart.objects.create(purpose=purpose, submission_key=submission_key),
        )
        if cart.owner_id is not None or cart.status != Cart.Status.OPEN:
            # Not a twin's: a key posted again long after. A cart of its own.
            return Cart.objects.create(purpose=purpose)
        return cart
    cart, _created = Cart.objects.get_or_create(
        owner=owner, status=Cart.Status.OPEN, purpose=purpose
    )
    return cart


def _product_with_line(*, product_id: int, cart_id: int) -> Product | None:
    """The active product, with the cart's line for it as ``line_id``,
    ``line_quantity`` and ``line_submission_key`` (None without one), in
    one statement. Raw: built by the ORM (three correlated subqueries) it
    cost about 1.5 ms of CPU on every add, read as it is about 0.2 ms.
    One line per cart and product (a unique constraint): one row at most."""
    product = connection.ops.quote_name(Product._meta.db_table)
    line = connection.ops.quote_name(CartLine._meta.db_table)
    found = rows.fetch(
        Product,
        f"SELECT {rows.columns(Product, 'p')}, l.id AS line_id,"  # noqa: S608 - no input in it
        f" l.quantity AS line_quantity,"
        f" l.submission_key AS line_submission_key"
        f" FROM {product} p LEFT JOIN {line} l"
        f" ON l.product_id = p.id AND l.cart_id = %s"
        f" WHERE p.id = %s AND p.is_active",
        [cart_id, product_id],
    )
    return found[0] if found else None


@transaction.atomic
def add_to_cart(
    *,
    cart: Cart | OpenCart,
    product_id: int,
    quantity: int,
    submission_key: str = "",
) -> CartLine:
    """Add units of an active product, within stock and the per-line limit.
    The line returned has its product and its new quantity.

    ``cart`` may be an ``OpenCart`` (the request's, from ``shop.carts``):
    the statement that renews and locks it also finds it, one query fewer
    than loading it first; ``CartClosed`` if there is no such open cart,
    before anything is written.

    Guarantees: one form submission adds once. The line keeps the key of
    the submission that last added to it, read under the cart's row lock
    (``_touch``): the twin of a double click waits for the first, then finds
    its key on the line and returns the line as the first one left it.
    """
    if quantity < 1:
        raise InvalidQuantity(_("Choose a quantity of at least 1."))
    if isinstance(cart, OpenCart):
        line_cart = {"cart_id": _touch_open(cart)}
        cart_id = line_cart["cart_id"]
    else:
        _touch(cart)
        line_cart = {"cart": cart}
        cart_id = cart.pk
    product = _product_with_line(product_id=product_id, cart_id=cart_id)
    if product is None:
        raise ProductUnavailable()
    if submission_key and product.line_submission_key == submission_key:
        return CartLine(
            pk=product.line_id,
            **line_cart,
            product=product,
            quantity=product.line_quantity,
            submission_key=submission_key,
        )
    new_quantity = quantity + (product.line_quantity or 0)
    _check_quantity(product, new_quantity)
    line = CartLine(
        pk=product.line_id,
        **line_cart,
        product=product,
        quantity=new_quantity,
        submission_key=submission_key,
    )
    if product.line_id is None:
        rows.insert([line])
    else:
        _SET_LINE.run(pk=line.pk, quantity=new_quantity, submission_key=submission_key)
    return line


def _set_line(pk: int, quantity: int, submission_key: str):
    changes = {"quantity": quantity, "submission_key": submission_key}
    return CartLine.objects.filter(pk=pk), changes


# Built once per process: every add to a line the cart has writes it.
_SET_LINE = rows.Update(_set_line)


@transaction.atomic
def set_line_quantity(*, cart: Cart, product_id: int, quantity: int) -> None:
    """Set a line's quantity; zero removes the line."""
    _touch(cart)
    if quantity == 0:
        CartLine.objects.filter(cart=cart, product_id=product_id).delete()
    else:
        line = (
            CartLine.objects.select_related("product")
            .filter(cart=cart, product_id=product_id)
            .first()
        )
        if line is None:
            raise ProductUnavailable(_("That item is no longer in your cart."))
        _check_quantity(line.product, quantity)
        line.quantity = quantity
        line.save(update_fields=["quantity"])


def remove_from_cart(*, cart: Cart, product_id: int) -> None:
    set_line_quantity(cart=cart, product_id=product_id, quantity=0)


@transaction.atomic
def merge_carts(*, source: Cart, owner: User) -> Cart:
    """Fold a visitor's cart into the customer's at login; return the result.

    Quantities add up, capped at what is in stock; the visitor's cart is then
    closed as ``merged``. Running it twice changes nothing the second time.
    """
    source = _lock(source)
    if (
        source.status != Cart.Status.OPEN
        or source.owner_id not in (None, owner.pk)
        or source.purpose
    ):
        return create_cart(owner=owner)
    target = (
        Cart.objects.select_for_update()
        .filter(owner=owner, status=Cart.Status.OPEN, purpose="")
        .first()
    )
    if target is None or target.pk == source.pk:
        source.owner = owner
        source.save(update_fields=["owner", "updated_at"])
        return source
    existing = {line.product_id: line for line in target.lines.all()}
    for line in source.lines.select_related("product"):
        if not line.product.is_active:
            continue
        merged = existing.get(line.product_id)
        quantity = min(
            line.quantity + (merged.quantity if merged else 0),
            _max_quantity(line.product),
        )
        if quantity < 1:
            continue
        if merged is None:
            CartLine.objects.create(
                cart=target, product=line.product, quantity=quantity
            )
        else:
            merged.quantity = quantity
            merged.save(update_fields=["quantity"])
    source.status = Cart.Status.MERGED
    source.save(update_fields=["status", "updated_at"])
    _touch(target)
    return target
