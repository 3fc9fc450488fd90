"""Connects the login cart merge and language; the work itself is a service."""

from allauth.account.signals import user_logged_in
from django.dispatch import receiver
from django.utils.translation import get_language

from shop import services
from shop.carts import SESSION_KEY
from shop.models import Cart


@receiver(user_logged_in)
def merge_visitor_cart(sender, request, user, **kwargs) -> None:
    # Django keeps session data across the key rotation at login.
    cart_id = request.session.pop(SESSION_KEY, None)
    if cart_id is None:
        return
    source = Cart.objects.filter(pk=cart_id, owner=None).first()
    if source is not None:
        services.merge_carts(source=source, owner=user)


@receiver(user_logged_in)
def remember_language(sender, request, user, **kwargs) -> None:
    # The language LocaleMiddleware picked for this request (cookie, browser).
    services.remember_language(
        user=user, language=getattr(request, "LANGUAGE_CODE", "") or get_language()
    )
