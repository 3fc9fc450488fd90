"""Pages for visitors who are not signed in come whole from Redis, each
visitor with their own CSRF token, and never a page that changed
(``core.pagecache``). The catalog's pages serve as the example; what renews
them is tested with the shop (``tests/shop/test_pagecache.py``)."""

import re

import pytest
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from core import pagecache
from core.fragments import CSRF_PLACEHOLDER_INPUT as PLACEHOLDER
from shop import selectors
from shop.models import Product
from tests.shop.factories import ProductFactory, UserFactory

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


def test_a_kept_value_is_computed_once_until_its_scope_changes():
    """``kept``: what many pages show alike (the catalog's count) is
    computed once, again after a change commits, and a value computed while
    a change commits is not kept under the new version."""
    computed = []

    def compute():
        computed.append(len(computed))
        return computed[-1]

    def kept():
        return pagecache.kept("catalog", "example", compute)

    assert (kept(), kept()) == (0, 0)
    pagecache.changed("catalog")  # outside a transaction: at once
    assert (kept(), kept()) == (1, 1)

    def changed_meanwhile():
        pagecache.changed("catalog")
        return compute()

    pagecache.changed("catalog")
    assert pagecache.kept("catalog", "example", changed_meanwhile) == 2
    assert kept() == 3  # what was computed meanwhile was not used
    assert kept() == 3
    # Each name is a value of its own, and it expires with the pages.
    assert pagecache.kept("catalog", "other", lambda: "other") == "other"
    redis = cache._cache.get_client()
    (key,) = redis.keys("*pagecache:value:catalog:example")
    assert 0 < redis.ttl(key) <= pagecache.SECONDS


def test_a_kept_value_is_computed_every_time_with_debug(settings):
    settings.DEBUG = True
    computed = []
    for _ in range(2):
        pagecache.kept("catalog", "example", lambda: computed.append(1))
    assert len(computed) == 2
