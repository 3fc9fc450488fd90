"""Connects the login cart merge and language, and the cached pages of the
catalog; the work itself is a service or ``core.pagecache``.

The shop's page-cache scopes: ``"catalog"`` (products, their cards' stock and
categories: every catalog page), renewed here on ``save()`` and ``delete()``
and by ``take_stock`` when a card changes; ``"product:<slug>"`` (the exact
stock on one product's page), renewed by ``take_stock``.
"""

from allauth.account.signals import user_logged_in
from django.conf import settings
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils.translation import get_language

from core import pagecache
from shop import services
from shop.carts import SESSION_KEY
from shop.models import Cart, Category, Product, ProductImage


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
    # A language chosen in the header (its cookie) is kept; one only guessed
    # from the browser just for an account that has none yet: signing in on
    # someone else's computer must not change the language of their emails.
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    if chosen or not user.language:
        services.remember_language(
            user=user,
            language=chosen or getattr(request, "LANGUAGE_CODE", "") or get_language(),
        )


@receiver([post_save, post_delete], sender=ProductImage)
@receiver([post_save, post_delete], sender=Product)
@receiver([post_save, post_delete], sender=Category)
def catalog_changed(sender, instance, **kwargs) -> None:
    # Every catalog page may show it: a card, a category in the menu.
    pagecache.changed("catalog")
