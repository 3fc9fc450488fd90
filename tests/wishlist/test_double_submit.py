"""Every state-changing POST of wish lists, sent twice at the same moment
from one browser: one effect, no 500, the second shown the first's result."""

import pytest
from django.urls import reverse

from tests.concurrency import post_together
from tests.double_submit import assert_same_result, key_on, messages_of
from tests.shop.factories import AddressFactory, ProductFactory, UserFactory
from wishlist.models import WishList, WishListItem

from .factories import WishListFactory, WishListItemFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


@pytest.fixture
def owner(client):
    user = UserFactory()
    client.force_login(user)
    return user


def _list_form(owner, **changes):
    return {
        "title": "Our wedding",
        "description": "",
        "occasion": "wedding",
        "occasion_date": "",
        "address": AddressFactory(user=owner).pk,
        "visibility": "unlisted",
        "surprise_protection": "on",
        **changes,
    }


def test_a_new_list_sent_twice_makes_one_list(client, owner):
    key = key_on(client, reverse("wishlist:create"))
    responses = post_together(
        client, reverse("wishlist:create"), {**_list_form(owner), "submission": key}
    )
    wishlist = WishList.objects.get(owner=owner)
    assert assert_same_result(responses) == wishlist.get_absolute_url()


def test_editing_a_list_twice_saves_it(client, owner):
    wishlist = WishListFactory(owner=owner)
    responses = post_together(
        client,
        reverse("wishlist:edit", args=[wishlist.pk]),
        _list_form(owner, title="Our new home"),
    )
    assert assert_same_result(responses) == wishlist.get_absolute_url()
    assert WishList.objects.get().title == "Our new home"


def test_deleting_a_list_twice_deletes_it_and_both_land_on_my_lists(client, owner):
    wishlist = WishListFactory(owner=owner)
    url = reverse("wishlist:delete", args=[wishlist.pk])
    responses = post_together(client, url)
    assert assert_same_result(responses) == reverse("wishlist:my_lists")
    assert not WishList.objects.exists()
    late = client.post(url)
    assert late["Location"] == reverse("wishlist:my_lists")
    assert messages_of(late) == ["List deleted."]
    theirs = WishListFactory()
    assert client.post(reverse("wishlist:delete", args=[theirs.pk])).status_code == 404


def test_revealing_twice(client, owner):
    wishlist = WishListFactory(owner=owner)
    responses = post_together(client, reverse("wishlist:reveal", args=[wishlist.pk]))
    assert assert_same_result(responses) == wishlist.get_absolute_url()
    wishlist.refresh_from_db()
    assert wishlist.revealed_at is not None


def test_adding_a_product_to_a_list_twice_adds_once(client, owner):
    wishlist = WishListFactory(owner=owner)
    product = ProductFactory()
    key = key_on(client, product.get_absolute_url())
    data = {
        "wishlist": wishlist.pk,
        "desired_quantity": 2,
        "priority": 3,
        "note": "",
        "submission": key,
    }
    responses = post_together(
        client, reverse("wishlist:item_add", args=[product.pk]), data
    )
    assert assert_same_result(responses) == product.get_absolute_url()
    assert WishListItem.objects.get().desired_quantity == 2


def test_saving_an_item_twice_saves_it(client, owner):
    item = WishListItemFactory(wishlist=WishListFactory(owner=owner))
    prefix = f"item-{item.pk}"
    responses = post_together(
        client,
        reverse("wishlist:item_update", args=[item.pk]),
        {
            f"{prefix}-desired_quantity": 4,
            f"{prefix}-priority": 1,
            f"{prefix}-note": "",
        },
    )
    assert assert_same_result(responses) == item.wishlist.get_absolute_url()
    item.refresh_from_db()
    assert (item.desired_quantity, item.priority) == (4, 1)


def test_moving_an_item_up_twice_at_once_moves_it_one_place(client, owner):
    wishlist = WishListFactory(owner=owner)
    items = [WishListItemFactory(wishlist=wishlist, position=i) for i in range(3)]
    last = items[2]
    page = client.get(wishlist.get_absolute_url()).content.decode()
    assert 'name="from" value="2"' in page  # the place the owner sees it at

    responses = post_together(
        client,
        reverse("wishlist:item_move", args=[last.pk]),
        {"to": "up", "from": 2},
    )

    assert assert_same_result(responses) == wishlist.get_absolute_url()
    order = list(wishlist.items.order_by("position", "pk").values_list("pk", flat=True))
    assert order == [items[0].pk, last.pk, items[1].pk]


def test_removing_an_item_twice_removes_it_and_both_land_on_the_list(client, owner):
    wishlist = WishListFactory(owner=owner)
    item, kept = (
        WishListItemFactory(wishlist=wishlist),
        WishListItemFactory(wishlist=wishlist),
    )
    url = reverse("wishlist:item_remove", args=[item.pk])
    responses = post_together(client, url)
    assert assert_same_result(responses) == wishlist.get_absolute_url()
    assert list(WishListItem.objects.all()) == [kept]
    late = client.post(url)
    assert late["Location"] == wishlist.get_absolute_url()
    theirs = WishListItemFactory()
    assert (
        client.post(reverse("wishlist:item_remove", args=[theirs.pk])).status_code
        == 404
    )
