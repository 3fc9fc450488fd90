"""A published list's page comes whole from the page cache for visitors who
are not signed in, and every change to what it shows is on it at once."""

import pytest

from shop import services as shop_services
from tests.core.test_pagecache import page
from tests.gifts.factories import give
from wishlist import services

from .factories import WishListFactory, WishListItemFactory

# Versions are renewed when a change commits: these tests commit.
pytestmark = pytest.mark.django_db(transaction=True)


def test_changes_to_the_list_show_at_once(client):
    wishlist = WishListFactory(title="Our wedding")
    item = WishListItemFactory(
        wishlist=wishlist, desired_quantity=3, product__name="Tea bowl"
    )
    other = WishListItemFactory(wishlist=wishlist, product__name="Whisk")
    url = wishlist.get_share_url()
    assert "3 still wanted" in page(client, url)[0]
    assert page(client, url)[1]

    give(item)  # a giver's order counts the unit with a bulk update
    assert "2 still wanted" in page(client, url)[0]
    services.move_item(item=other, actor=wishlist.owner, up=True)
    html = page(client, url)[0]
    assert html.index("Whisk") < html.index("Tea bowl")
    services.update_item(
        item=item, actor=wishlist.owner, desired_quantity=5, priority=1,
        note="The blue one, please",
    )  # fmt: skip
    assert "The blue one, please" in page(client, url)[0]
    services.remove_item(item=other, actor=wishlist.owner)
    assert "Whisk" not in page(client, url)[0]
    services.update_wishlist(
        wishlist=wishlist, actor=wishlist.owner, title="Aiko & Ren, June"
    )
    assert "Aiko &amp; Ren, June" in page(client, url)[0]


def test_the_owners_name_and_the_products_show_at_once(client):
    wishlist = WishListFactory(owner__display_name="Aiko")
    item = WishListItemFactory(wishlist=wishlist, product__price=4000)
    url = wishlist.get_share_url()
    assert "A wish list by Aiko" in page(client, url)[0]
    shop_services.update_profile(
        user=wishlist.owner, display_name="Aiko Tanaka", phone=wishlist.owner.phone
    )
    assert "A wish list by Aiko Tanaka" in page(client, url)[0]
    item.product.price = 4500
    item.product.save()
    assert "¥4,500" in page(client, url)[0]
    # Signing in elsewhere does not empty the cache.
    wishlist.owner.save(update_fields=["last_login"])
    assert page(client, url)[1]


def test_a_list_made_private_is_gone_at_once(client):
    wishlist = WishListFactory()
    WishListItemFactory(wishlist=wishlist)
    url = wishlist.get_share_url()
    page(client, url)
    services.update_wishlist(
        wishlist=wishlist, actor=wishlist.owner, visibility="private"
    )
    assert client.get(url).status_code == 404
