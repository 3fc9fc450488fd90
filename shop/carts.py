"""Which cart a request is using: the customer's open cart, or the one a
visitor's session points at. Carts live in the database, so any web process
can serve any request."""

from django.http import HttpRequest

from shop import services
from shop.models import Cart

SESSION_KEY = "cart_id"


def current_cart(request: HttpRequest, *, create: bool = False) -> Cart | None:
    user = request.user
    if user.is_authenticated:
        cart = Cart.objects.filter(
            owner=user, status=Cart.Status.OPEN, purpose=""
        ).first()
        if cart is None and create:
            cart = services.create_cart(owner=user)
        return cart
    cart_id = request.session.get(SESSION_KEY)
    cart = None
    if cart_id is not None:
        cart = Cart.objects.filter(
            pk=cart_id, owner=None, status=Cart.Status.OPEN, purpose=""
        ).first()
    if cart is None and create:
        cart = services.create_cart(owner=None)
        request.session[SESSION_KEY] = cart.pk
    return cart
