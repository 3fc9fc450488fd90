"""Which cart a request is using: the customer's open cart, or the one a
visitor's session points at. Carts live in the database, so any web process
can serve any request."""

from django.db.models import QuerySet
from django.http import HttpRequest

from shop import selectors, services
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


def current_cart_lines(request: HttpRequest) -> list[CartLine]:
    """The lines of the cart ``current_cart`` would give, with their
    products and what their first photo is (``selectors.cart_page_lines``),
    in one query: the cart page needs no more of the cart."""
    carts = _open_cart(request)
    return list(selectors.cart_page_lines(cart=carts)) if carts is not None else []
