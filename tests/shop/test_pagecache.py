"""Catalog pages for visitors who are not signed in come whole from Redis,
and what changes them through the ORM, the admin or the services shows at
once (``shop.pagecache``)."""

import re

import pytest
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from shop import pagecache, selectors, services
from shop.fragments import CSRF_PLACEHOLDER_INPUT as PLACEHOLDER
from shop.models import OrderLine, Product

from .factories import (
    CategoryFactory,
    ProductFactory,
    UserFactory,
    placed_order,
    sign_in_staff,
)

# Versions are renewed when a change commits: these tests commit.
pytestmark = pytest.mark.django_db(transaction=True)

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([A-Za-z0-9]+)"')


def page(client, url: str, **params) -> tuple[str, bool]:
    """The page's HTML, and whether it came from the page cache (no template
    was rendered for it)."""
    response = client.get(url, params)
    assert response.status_code == 200
    return response.content.decode(), not response.templates


def stored_pages() -> list[dict]:
    client = cache._cache.get_client()
    return [
        cache.get(key.decode().split(":", 2)[2])
        for key in client.keys("*pagecache:page:*")
    ]


LIST = reverse("shop:product_list")


def test_a_page_is_rendered_once_then_served_whole_without_a_query(
    client, django_assert_num_queries
):
    product = ProductFactory(name="Linen towel", price=2400)
    first, cached = page(client, LIST)
    assert not cached
    with django_assert_num_queries(0):
        again, cached = page(client, LIST)
    assert cached
    assert TOKEN.sub("", again) == TOKEN.sub("", first)
    assert "Linen towel" in again
    assert not page(client, product.get_absolute_url())[1]  # a page each
    assert page(client, product.get_absolute_url())[1]
    assert len(stored_pages()) == 2


def test_each_visitor_gets_their_own_csrf_token_and_it_works():
    product = ProductFactory(stock_on_hand=5)
    tokens = []
    for _visitor in range(2):
        client = Client(enforce_csrf_checks=True)
        html, _cached = page(client, product.get_absolute_url())
        token = TOKEN.search(html).group(1)
        tokens.append(token)
        response = client.post(
            reverse("shop:cart_add", args=[product.pk]),
            {"quantity": 1, "csrfmiddlewaretoken": token},
        )
        assert response.status_code == 302
    assert page(Client(), product.get_absolute_url())[1]
    # Tokens are masked per request, and the secret behind each is the
    # visitor's own cookie: nothing of one visitor is stored for another.
    assert tokens[0] != tokens[1]
    (stored,) = stored_pages()
    assert set(TOKEN.findall(stored["content"])) == {TOKEN.search(PLACEHOLDER)[1]}


def test_signed_in_visitors_and_sessions_bypass_it(client):
    ProductFactory(name="Linen towel")
    page(client, LIST)
    shopper = UserFactory(display_name="Secret Shopper", email="secret@example.test")
    signed_in = Client()
    signed_in.force_login(shopper)
    html, cached = page(signed_in, LIST)
    assert not cached
    assert "Secret Shopper" in html
    assert page(signed_in, LIST)[0].count("Secret Shopper") == 1
    assert len(stored_pages()) == 1
    for stored in stored_pages():
        assert "Secret" not in stored["content"]
        assert "secret@example.test" not in stored["content"]
    # A visitor with a message waiting gets the page with it, not the cache.
    client.cookies[CookieStorage.cookie_name] = "anything"
    assert not page(client, LIST)[1]


def test_changes_through_save_the_admin_or_a_checkout_show_at_once(client):
    kitchen = CategoryFactory(name="Kitchen", slug="kitchen")
    product = ProductFactory(
        name="Linen towel", price=2400, stock_on_hand=10, category=kitchen
    )
    detail = product.get_absolute_url()
    assert "¥2,400" in page(client, LIST)[0]
    assert "10 in stock" in page(client, detail)[0]
    product.price = 2600
    product.save()
    assert "¥2,600" in page(client, LIST)[0]
    assert "¥2,600" in page(client, detail)[0]
    kitchen.name = "Cookware"
    kitchen.save()
    assert "Cookware" in page(client, detail)[0]

    staff = Client()
    sign_in_staff(staff, UserFactory(is_staff=True, is_superuser=True))
    changed = staff.get(reverse("admin:shop_product_change", args=[product.pk]))
    form = changed.context["adminform"].form
    data = {
        name: value
        for name, value in {**form.initial, "name": "Hemp towel"}.items()
        if value is not None and name != "image"
    }
    data["category"] = kitchen.pk
    response = staff.post(reverse("admin:shop_product_change", args=[product.pk]), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert "Hemp towel" in page(client, LIST)[0]

    # A checkout changes the exact stock on the product's page at once.
    page(client, detail)
    assert page(client, detail)[1]
    placed_order(None, (product, 2))
    assert "8 in stock" in page(client, detail)[0]


def test_a_checkout_leaves_catalog_pages_cached_unless_a_card_changes(client):
    product = ProductFactory(stock_on_hand=6)
    page(client, LIST)
    placed_order(None, (product, 1))  # 6 -> 5: the card shows nothing either way
    assert page(client, LIST)[1]
    placed_order(None, (product, 2))  # 5 -> 3
    html, cached = page(client, LIST)
    assert not cached
    assert "Only 3 left" in html
    order = placed_order(None, (product, 1))  # 3 -> 2
    assert "Only 2 left" in page(client, LIST)[0]
    # A missing item re-shipped takes stock too.
    line = OrderLine.objects.get(order=order)
    services.create_replacement_shipment(order_line=line, quantity=1, actor=None)
    assert "Only 1 left" in page(client, LIST)[0]


def test_a_deactivated_product_is_gone_at_once(client):
    product = ProductFactory(name="Linen towel")
    page(client, product.get_absolute_url())
    product.is_active = False
    product.save()
    assert client.get(product.get_absolute_url()).status_code == 404
    assert "Linen towel" not in page(client, LIST)[0]


def test_each_language_and_search_has_its_own_page(client):
    ProductFactory(name="Iron kettle", name_ja="鉄瓶")
    ProductFactory(name="Tea bowl", name_ja="茶碗")
    english = page(client, LIST)[0]
    client.cookies["django_language"] = "ja"
    japanese, cached = page(client, LIST)
    assert not cached
    assert "鉄瓶" in japanese and "鉄瓶" not in english
    found = page(client, LIST, q="鉄瓶")[0]
    assert "茶碗" not in found


def test_a_change_while_a_page_renders_is_not_hidden_by_it(client, monkeypatch):
    ProductFactory(name="Linen towel")
    original = selectors.product_list

    def changed_meanwhile(**kwargs):
        # Another process commits a change after this page read its
        # versions and before it is stored.
        pagecache.changed("catalog")
        return original(**kwargs)

    monkeypatch.setattr(selectors, "product_list", changed_meanwhile)
    page(client, LIST)
    monkeypatch.setattr(selectors, "product_list", original)
    assert not page(client, LIST)[1]  # the page stored meanwhile is not used
    assert page(client, LIST)[1]


def test_a_change_around_the_orm_shows_when_the_page_expires(client):
    product = ProductFactory(price=2400)
    page(client, LIST)
    Product.objects.filter(pk=product.pk).update(price=2600)
    redis = cache._cache.get_client()
    (key,) = redis.keys("*pagecache:page:*")
    assert 0 < redis.ttl(key) <= pagecache.SECONDS
    redis.delete(key)  # as Redis does when it expires
    assert "¥2,600" in page(client, LIST)[0]


def test_nothing_is_cached_with_debug(client, settings):
    settings.DEBUG = True
    ProductFactory()
    page(client, LIST)
    assert not page(client, LIST)[1]
    assert stored_pages() == []
