"""Wish lists: owning, editing, sharing, searching, and what givers see."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from gifts.models import Gift
from shop.exceptions import ProductUnavailable
from tests.gifts.factories import give
from tests.queries import assert_same_queries, queries_for
from tests.shop.factories import AddressFactory, ProductFactory, UserFactory
from wishlist import services
from wishlist.exceptions import WishlistError
from wishlist.models import WishList, WishListItem

from .factories import WishListFactory, WishListItemFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner(client):
    user = UserFactory(display_name="Aiko & Ren")
    client.force_login(user)
    return user


def test_create_a_list_through_the_page(client, owner):
    address = AddressFactory(user=owner)
    response = client.post(
        reverse("wishlist:create"),
        {
            "title": "Our wedding",
            "occasion": "wedding",
            "occasion_date": "2027-05-04",
            "address": address.pk,
            "visibility": "public",
            "surprise_protection": "on",
        },
    )
    wishlist = WishList.objects.get()
    assert response["Location"] == wishlist.get_absolute_url()
    assert (wishlist.owner, wishlist.address, wishlist.surprise_protection) == (
        owner,
        address,
        True,
    )
    assert len(wishlist.share_token) >= 20


def test_someone_elses_address_cannot_be_a_lists_address(client, owner):
    theirs = AddressFactory()
    response = client.post(
        reverse("wishlist:create"),
        {
            "title": "Mine",
            "occasion": "other",
            "address": theirs.pk,
            "visibility": "public",
        },
    )
    assert response.status_code == 200
    assert not WishList.objects.exists()
    with pytest.raises(WishlistError):
        services.create_wishlist(owner=owner, title="Sneaky", address=theirs)


def test_add_from_a_product_page_edit_reorder_remove(client, owner):
    wishlist = WishListFactory(owner=owner)
    kettle, plates, towels = ProductFactory.create_batch(3)
    for product in (kettle, plates, towels):
        client.post(
            reverse("wishlist:item_add", args=[product.pk]),
            {"wishlist": wishlist.pk, "desired_quantity": 1, "priority": 3, "note": ""},
        )
    client.post(
        reverse("wishlist:item_add", args=[kettle.pk]),
        {
            "wishlist": wishlist.pk,
            "desired_quantity": 1,
            "priority": 1,
            "note": "black",
        },
    )
    item = wishlist.items.get(product=kettle)
    assert (item.desired_quantity, item.priority, item.note) == (2, 1, "black")

    towels_item = wishlist.items.get(product=towels)
    client.post(reverse("wishlist:item_move", args=[towels_item.pk]), {"to": "up"})
    order = list(wishlist.items.order_by("position").values_list("product", flat=True))
    assert order == [kettle.pk, towels.pk, plates.pk]

    client.post(
        reverse("wishlist:item_update", args=[towels_item.pk]),
        {
            f"item-{towels_item.pk}-desired_quantity": 4,
            f"item-{towels_item.pk}-priority": 2,
            f"item-{towels_item.pk}-note": "white",
        },
    )
    towels_item.refresh_from_db()
    assert (towels_item.desired_quantity, towels_item.note) == (4, "white")

    client.post(reverse("wishlist:item_remove", args=[towels_item.pk]))
    assert not wishlist.items.filter(product=towels).exists()


def test_adding_to_someone_elses_list_is_refused(client, owner):
    theirs = WishListFactory()
    product = ProductFactory()
    response = client.post(
        reverse("wishlist:item_add", args=[product.pk]),
        {"wishlist": theirs.pk, "desired_quantity": 1, "priority": 3},
        follow=True,
    )
    assert response.status_code == 200
    assert not theirs.items.exists()


def test_inactive_products_cannot_be_wished_for(owner):
    with pytest.raises(ProductUnavailable):
        services.add_item(
            wishlist=WishListFactory(owner=owner),
            product=ProductFactory(is_active=False),
            actor=owner,
        )


@pytest.mark.parametrize("name", ["manage", "edit"])
def test_someone_elses_list_pages_are_404(client, owner, name):
    theirs = WishListFactory()
    assert client.get(reverse(f"wishlist:{name}", args=[theirs.pk])).status_code == 404


def test_someone_elses_items_are_404_for_every_verb(client, owner):
    item = WishListItemFactory()
    for name in ("item_update", "item_move", "item_remove"):
        assert (
            client.post(reverse(f"wishlist:{name}", args=[item.pk])).status_code == 404
        )
    assert (
        client.post(reverse("wishlist:delete", args=[item.wishlist.pk])).status_code
        == 404
    )
    assert (
        client.post(reverse("wishlist:reveal", args=[item.wishlist.pk])).status_code
        == 404
    )
    assert WishListItem.objects.filter(pk=item.pk).exists()


def test_visibility_rules(client):
    public = WishListFactory(visibility="public", owner__display_name="Aiko Tanaka")
    unlisted = WishListFactory(visibility="unlisted", owner__display_name="Aiko Sato")
    private = WishListFactory(visibility="private", owner__display_name="Aiko Mori")

    found = client.get(reverse("wishlist:search"), {"name": "aiko"})
    assert [w.pk for w in found.context["found"]] == [public.pk]

    assert client.get(public.get_share_url()).status_code == 200
    assert client.get(unlisted.get_share_url()).status_code == 200
    assert client.get(private.get_share_url()).status_code == 404
    assert (
        client.get(reverse("wishlist:shared", args=["guessed-token"])).status_code
        == 404
    )
    client.force_login(private.owner)
    assert client.get(private.get_share_url()).status_code == 200


def test_givers_see_remaining_counts_and_bought_items_sink(client):
    wishlist = WishListFactory()
    bought = WishListItemFactory(wishlist=wishlist, desired_quantity=1, priority=1)
    wanted = WishListItemFactory(wishlist=wishlist, desired_quantity=3, priority=4)
    give(bought)
    give(wanted)
    client.force_login(UserFactory())
    page = client.get(wishlist.get_share_url())
    assert [i.pk for i in page.context["items"]] == [wanted.pk, bought.pk]
    html = page.content.decode()
    assert "2 still wanted" in html
    assert "Bought — thank you!" in html


def test_the_owner_sees_no_purchases_until_revealed(client, owner):
    wishlist = WishListFactory(owner=owner, occasion_date=None)
    item = WishListItemFactory(wishlist=wishlist, desired_quantity=2)
    give(item)
    for url in (wishlist.get_absolute_url(), wishlist.get_share_url()):
        html = client.get(url).content.decode()
        assert "1 of 2 bought" not in html
        assert "still wanted" not in html
    client.post(reverse("wishlist:reveal", args=[wishlist.pk]))
    assert "1 of 2 bought" in client.get(wishlist.get_absolute_url()).content.decode()


def test_the_surprise_ends_when_the_date_has_passed():
    wishlist = WishListFactory(occasion_date=timezone.localdate())
    assert not wishlist.is_revealed
    wishlist.occasion_date -= datetime.timedelta(days=1)
    assert wishlist.is_revealed


def test_a_list_with_gifts_cannot_be_deleted(client, owner):
    wishlist = WishListFactory(owner=owner)
    give(WishListItemFactory(wishlist=wishlist))
    response = client.post(reverse("wishlist:delete", args=[wishlist.pk]), follow=True)
    assert "make it private" in response.content.decode()
    assert WishList.objects.filter(pk=wishlist.pk).exists()
    assert Gift.objects.count() == 1


def test_list_pages_cost_the_same_for_10_or_100_items(client, owner):
    wishlist = WishListFactory(owner=owner)
    for _ in range(10):
        give(WishListItemFactory(wishlist=wishlist))
    giver = UserFactory()
    client.force_login(giver)
    share_small = queries_for(client, wishlist.get_share_url())
    client.force_login(owner)
    manage_small = queries_for(client, wishlist.get_absolute_url())
    for _ in range(90):
        WishListItemFactory(wishlist=wishlist)
    assert_same_queries(manage_small, queries_for(client, wishlist.get_absolute_url()))
    client.force_login(giver)
    assert_same_queries(share_small, queries_for(client, wishlist.get_share_url()))


# --- The givers' item grid, cached in Redis --------------------------------

ITEMS = "wishlist/includes/items.html"


def shared_page(client, wishlist) -> tuple[str, bool]:
    """The share page's HTML, and whether its item grid was rendered."""
    response = client.get(wishlist.get_share_url())
    assert response.status_code == 200
    rendered = ITEMS in [template.name for template in response.templates]
    return response.content.decode(), rendered


def test_list_changes_show_at_once(client):
    # Signed in, so the grid's cache serves it, not the page cache.
    client.force_login(UserFactory())
    wishlist = WishListFactory()
    item = WishListItemFactory(
        wishlist=wishlist, desired_quantity=3, product__name="Tea bowl"
    )
    html, rendered = shared_page(client, wishlist)
    assert rendered
    assert "3 still wanted" in html
    assert not shared_page(client, wishlist)[1]  # from the cache
    give(item)
    assert "2 still wanted" in shared_page(client, wishlist)[0]
    services.update_item(
        item=item, actor=wishlist.owner, desired_quantity=5, priority=1,
        note="The blue one, please",
    )  # fmt: skip
    html = shared_page(client, wishlist)[0]
    assert "4 still wanted" in html
    assert "The blue one, please" in html
    type(item.product).objects.filter(pk=item.product_id).update(
        name="Matcha bowl", price=4321
    )
    html = shared_page(client, wishlist)[0]
    assert "Matcha bowl" in html
    assert "¥4,321" in html
    other = WishListItemFactory(wishlist=wishlist, product__name="Whisk")
    assert "Whisk" in shared_page(client, wishlist)[0]
    services.remove_item(item=other, actor=wishlist.owner)
    assert "Whisk" not in shared_page(client, wishlist)[0]


def test_the_owner_never_gets_the_givers_grid(client):
    wishlist = WishListFactory(occasion_date=None)
    give(WishListItemFactory(wishlist=wishlist, desired_quantity=2))
    assert "1 still wanted" in shared_page(client, wishlist)[0]
    client.force_login(wishlist.owner)
    html = shared_page(client, wishlist)[0]
    assert "still wanted" not in html
    assert "Buy as a gift" not in html
    client.logout()
    assert "1 still wanted" in shared_page(client, wishlist)[0]


def test_each_giver_gets_their_own_csrf_token_and_nothing_else_is_shared():
    from django.test import Client

    from core.fragments import _CSRF_PLACEHOLDER
    from tests.core.test_fragments import cached_fragments

    wishlist = WishListFactory()
    item = WishListItemFactory(wishlist=wishlist)
    pages = {}
    for name in ("Giver One", "Giver Two"):
        giver = UserFactory(display_name=name, email=f"{name[-3:]}@example.test")
        client = Client(enforce_csrf_checks=True)
        client.force_login(giver)
        html, _rendered = shared_page(client, wishlist)
        form = html.split('class="buy-as-gift"', 1)[1]
        token = form.split('name="csrfmiddlewaretoken" value="', 1)[1].split('"')[0]
        pages[name] = (client, token)
    (fragment,) = cached_fragments(ITEMS)
    assert _CSRF_PLACEHOLDER in fragment
    for name, (_client, token) in pages.items():
        assert token != _CSRF_PLACEHOLDER
        assert token not in fragment
        assert name not in fragment
    # Each page's form works for its own visitor.
    for client, token in pages.values():
        response = client.post(
            reverse("gifts:buy", args=[item.wishlist.share_token, item.pk]),
            {"quantity": 1, "csrfmiddlewaretoken": token},
        )
        assert response.status_code == 302
    # A token from one visitor's page is refused for another.
    client, _token = pages["Giver One"]
    client.cookies["csrftoken"] = "x" * 32
    response = client.post(
        reverse("gifts:buy", args=[item.wishlist.share_token, item.pk]),
        {"quantity": 1, "csrfmiddlewaretoken": pages["Giver Two"][1]},
    )
    assert response.status_code == 403


# --- A signed-in giver finds a friend's list ----------------------------------


def _site_nav(html: str) -> str:
    return html.split('<nav class="site-nav"', 1)[1].split("</nav>", 1)[0]


def test_the_header_leads_a_signed_in_giver_to_find_a_list_and_their_gifts(client):
    visitor_nav = _site_nav(client.get(reverse("shop:product_list")).content.decode())
    assert f'href="{reverse("wishlist:search")}">Find a list</a>' in visitor_nav
    assert reverse("gifts:sent") not in visitor_nav

    client.force_login(UserFactory())
    nav = _site_nav(client.get(reverse("shop:product_list")).content.decode())
    assert f'href="{reverse("wishlist:search")}">Find a list</a>' in nav
    assert f'href="{reverse("gifts:sent")}">Gifts I sent</a>' in nav
    assert f'href="{reverse("gifts:received")}">Gifts received</a>' in nav


def test_the_lists_page_finds_a_friends_list_beside_ones_own(client):
    me = UserFactory(display_name="Haruto")
    mine = WishListFactory(owner=me, title="My birthday")
    friends = WishListFactory(owner__display_name="Aiko Tanaka", title="Aiko's wedding")
    WishListFactory(owner__display_name="Aiko Sato", visibility="unlisted")
    WishListFactory(owner__display_name="Aiko Mori", visibility="private")
    client.force_login(me)

    page = client.get(reverse("wishlist:my_lists"))
    html = page.content.decode()
    assert "My birthday" in html
    assert "Find a friend's list" in html
    assert 'name="name"' in html
    assert "Aiko&#x27;s wedding" not in html  # nothing found before a search

    page = client.get(reverse("wishlist:my_lists"), {"name": "aiko"})
    assert [w.pk for w in page.context["found"]] == [friends.pk]
    assert [w.pk for w in page.context["lists"]] == [mine.pk]
    html = page.content.decode()
    assert f'href="{friends.get_share_url()}"' in html
    assert friends.address.line1 not in html


def test_the_lists_page_costs_the_same_for_few_or_many_found(client):
    client.force_login(UserFactory())
    url = reverse("wishlist:my_lists")
    for _ in range(3):
        WishListItemFactory(wishlist=WishListFactory(owner__display_name="Aiko"))
    small = queries_for(client, url, data={"name": "aiko"})
    for _ in range(30):
        WishListItemFactory(wishlist=WishListFactory(owner__display_name="Aiko"))
    large = queries_for(client, url, data={"name": "aiko"})
    assert_same_queries(small, large)
