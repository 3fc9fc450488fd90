"""Two givers racing for the last wanted unit, with real transactions."""

import pytest

from gifts import services
from gifts.models import Gift
from shop import services as shop_services
from shop.models import Order
from tests.concurrency import run_together
from tests.shop.factories import UserFactory
from tests.wishlist.factories import WishListItemFactory
from wishlist.exceptions import AlreadyBought

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def _attempt(item, *, allow_over_gift=False):
    giver = UserFactory()
    cart = services.add_gift_to_cart(giver=giver, item=item, quantity=1).cart
    total = shop_services.quote(cart=cart)[1].total
    return lambda: services.place_gift_order(
        giver=giver,
        wishlist=item.wishlist,
        cart=cart,
        expected_total=total,
        allow_over_gift=allow_over_gift,
    )


def test_ten_givers_race_for_two_wanted_units():
    item = WishListItemFactory(desired_quantity=2)
    results = run_together([_attempt(item) for _ in range(10)])

    gifts = [r for r in results if isinstance(r, Gift)]
    refused = [r for r in results if isinstance(r, AlreadyBought)]
    assert (len(gifts), len(refused)) == (2, 8), results
    item.refresh_from_db()
    # Held by the two orders awaiting payment.
    assert item.held_quantity == 2
    assert Order.objects.count() == Gift.objects.count() == 2


def test_confirmed_givers_may_all_give_and_counts_do_not_drift():
    item = WishListItemFactory(desired_quantity=1)
    results = run_together([_attempt(item, allow_over_gift=True) for _ in range(6)])
    assert all(isinstance(r, Gift) for r in results), results
    item.refresh_from_db()
    assert item.held_quantity == 6 == Order.objects.count()
