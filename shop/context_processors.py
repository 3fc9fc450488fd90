"""What every page's header needs: the cart's item count and the currency."""

from django.conf import settings
from django.http import HttpRequest

from shop import selectors
from shop.carts import SESSION_KEY


def shop(request: HttpRequest) -> dict:
    def cart_count() -> int:
        if request.user.is_authenticated:
            return selectors.cart_item_count(owner=request.user)
        return selectors.cart_item_count(cart_id=request.session.get(SESSION_KEY))

    # A callable, so pages that never show the header (admin) pay nothing.
    return {"cart_count": cart_count, "SHOP_CURRENCY": settings.SHOP_CURRENCY}
