"""Which cart a request is using: the customer's open cart, or the one a
visitor's session points at. Carts live in the database, so any web process
can serve any request."""

from django.db.models import QuerySet
from django.http import HttpRequest

from shop import selectors, services
from shop.exceptions import CartClosed
from shop.models import Cart, CartLine

SESSION_KEY = "cart_id"


def _open_cart(request: HttpRequest) -> QuerySet[Cart] | None:
    """The request's open cart, as a query of one cart at most; None for a
    visitor who has none."""
    if request.user.is_authenticated:
        return Cart.objects.filter(
            owner=request.user, status=Cart.Status.OPEN, purpose=""
        )
    cart_id = request.session.get(SESSION_KEY)
    if cart_id is None:
        return None
    return Cart.objects.filter(
        pk=cart_id, owner=None, status=Cart.Status.OPEN, purpose=""
    )


def current_cart(
    request: HttpRequest, *, create: bool = False, submission_key: str | None = None
) -> Cart | None:
    """The request's open cart; with ``create``, one is opened if there is
    none (by the form submission ``submission_key``, so that a visitor's
    double click opens one cart, see ``services.create_cart``)."""
    carts = _open_cart(request)
    cart = carts.first() if carts is not None else None
    if cart is None and create:
        if request.user.is_authenticated:
            return services.create_cart(owner=request.user)
        cart = services.create_cart(owner=None, submission_key=submission_key)
        request.session[SESSION_KEY] = cart.pk
    return cart


def add_to_current_cart(
    request: HttpRequest, *, product_id: int, quantity: int, submission_key: str
) -> CartLine:
    """``services.add_to_cart`` on the request's open cart, found and locked
    by the statement that renews it (one query fewer than ``current_cart``
    first). Only when there is none (never opened, or ordered since) is one
    opened, as ``current_cart`` opens it, and the units added to it."""
    if request.user.is_authenticated:
        cart = services.OpenCart(owner_id=request.user.pk)
    else:
        cart_id = request.session.get(SESSION_KEY)
        cart = services.OpenCart(cart_id=cart_id) if cart_id is not None else None
    if cart is not None:
        try:
            return services.add_to_cart(
                cart=cart,
                product_id=product_id,
                quantity=quantity,
                submission_key=submission_key,
            )
        except CartClosed:
            pass  # nothing was written: open one below
    return services.add_to_cart(
        cart=current_cart(request, create=True, submission_key=submission_key),
        product_id=product_id,
        quantity=quantity,
        submission_key=submission_key,
    )


def current_cart_lines(request: HttpRequest) -> list[CartLine]:
    """The lines of the cart ``current_cart`` would give, with their
    products and what their first photo is (``selectors.cart_page_lines``),
    in one query: the cart page needs no more of the cart."""
    if request.user.is_authenticated:
        return selectors.cart_page_lines(owner_id=request.user.pk)
    cart_id = request.session.get(SESSION_KEY)
    return [] if cart_id is None else selectors.cart_page_lines(cart_id=cart_id)
