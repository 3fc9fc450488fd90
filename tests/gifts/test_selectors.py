"""The surprise rule and the reads built on it."""

import datetime

import pytest
from django.utils import timezone

from gifts import selectors
from gifts.models import Gift
from shop.models import Order
from tests.shop.factories import deliver
from tests.wishlist.factories import WishListItemFactory

from .factories import give

pytestmark = pytest.mark.django_db


def _fresh(gift: Gift) -> Gift:
    return Gift.objects.select_related("order", "wishlist").get(pk=gift.pk)


@pytest.fixture
def gift() -> Gift:
    return give(WishListItemFactory())


def test_a_gift_is_a_surprise_only_to_its_recipient(gift):
    order = Order.objects.select_related("gift__wishlist").get(pk=gift.order_id)
    line = order.lines.get()

    assert selectors.is_surprise_for(gift=gift, viewer=gift.recipient)
    assert selectors.order_hidden_from(order=order, viewer=gift.recipient)
    assert selectors.line_hidden_from(order_line=line, viewer=gift.recipient)
    for someone in (gift.giver, order.buyer):
        assert not selectors.is_surprise_for(gift=gift, viewer=someone)
        assert not selectors.order_hidden_from(order=order, viewer=someone)
        assert not selectors.line_hidden_from(order_line=line, viewer=someone)


@pytest.mark.parametrize(
    "reveal",
    ["delivered", "owner pressed reveal", "protection off", "date passed"],
)
def test_the_surprise_ends_on_delivery_or_when_the_list_is_revealed(gift, reveal):
    wishlist = gift.wishlist
    if reveal == "delivered":
        deliver(gift.order)
    elif reveal == "owner pressed reveal":
        wishlist.revealed_at = timezone.now()
    elif reveal == "protection off":
        wishlist.surprise_protection = False
    else:
        wishlist.occasion_date = timezone.localdate() - datetime.timedelta(days=1)
    wishlist.save()
    gift = _fresh(gift)

    assert selectors.is_revealed_to_recipient(gift)
    assert not selectors.is_surprise_for(gift=gift, viewer=gift.recipient)
    assert selectors.received_gift(recipient=gift.recipient, pk=gift.pk) == gift


def test_a_surprise_carries_nothing_of_what_it_is_or_who_sent_it(gift):
    (seen,) = selectors.gifts_received(recipient=gift.recipient)

    assert seen == selectors.received_gift(recipient=gift.recipient, pk=gift.pk)
    assert isinstance(seen, selectors.Surprise)
    assert seen.is_surprise
    assert seen.list_title == gift.wishlist.title
    assert seen.get_absolute_url() == gift.get_absolute_url()
    for attribute in ("lines", "order", "giver", "giver_name", "message", "wishlist"):
        assert not hasattr(seen, attribute), attribute


def test_someone_elses_gift_does_not_exist(gift):
    with pytest.raises(Gift.DoesNotExist):
        selectors.received_gift(recipient=gift.giver, pk=gift.pk)
