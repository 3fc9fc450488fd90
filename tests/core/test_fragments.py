"""Cached fragments (``core.fragments``), through the one the catalog uses:
the product grid is cached in Redis, and a change to anything it shows is on
the page at once, whichever way it was made."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from core import fragments
from shop.models import Product
from tests.shop.factories import ProductFactory, UserFactory

pytestmark = pytest.mark.django_db

GRID = "shop/includes/product_grid.html"


@pytest.fixture
def client(client):
    """Signed in: a visitor's whole page comes from the page cache
    (``tests/core/test_pagecache.py``); the grid's own cache is what serves
    signed-in shoppers, and every page the page cache misses."""
    client.force_login(UserFactory())
    return client


def cached_fragments(template_name: str) -> list[str]:
    """Every cached rendering of ``template_name``, as stored in Redis."""
    client = cache._cache.get_client()
    keys = client.keys(f"*fragment:{template_name}:*")
    return [cache.get(key.decode().split(":", 2)[2]) for key in keys]


def grid(client, **params) -> tuple[str, bool]:
    """The product list's HTML, and whether its grid was rendered (a miss)."""
    response = client.get(reverse("shop:product_list"), params)
    assert response.status_code == 200
    rendered = GRID in [template.name for template in response.templates]
    return response.content.decode(), rendered


def test_the_grid_is_rendered_once_then_served_from_the_cache(client):
    ProductFactory(name="Linen towel", price=2400)
    html, rendered = grid(client)
    assert rendered
    assert "Linen towel" in html
    again, rendered = grid(client)
    assert not rendered

    def cards(page: str) -> str:
        return page.split('<ul class="grid">', 1)[1].split("</ul>", 1)[0]

    assert cards(again) == cards(html)
    assert len(cached_fragments(GRID)) == 1


def test_a_process_serves_its_own_copy_without_the_shared_cache(client):
    # A key names what its text shows, so a copy is never stale: each
    # process keeps the fragments it served, and asks Redis for the others.
    ProductFactory(name="Linen towel")
    assert grid(client)[1]
    cache.clear()  # Redis's copy, every process's
    html, rendered = grid(client)
    assert not rendered
    assert "Linen towel" in html
    assert cached_fragments(GRID) == []


def test_a_fragment_another_process_rendered_is_read_from_redis_once(client):
    ProductFactory(name="Linen towel")
    grid(client)
    fragments.HELD.clear()  # as a process that has not served it
    assert not grid(client)[1]  # Redis's copy
    cache.clear()
    assert not grid(client)[1]  # kept by this process since


def test_a_process_keeps_at_most_its_size_the_least_recently_served_going_first():
    held = fragments._Held(size=10)
    held.update({"a": "12345", "b": "1234"})
    assert held.get_many(["a"]) == {"a": "12345"}  # now the most recent
    held.update({"c": "123"})  # 12 characters: "b" goes
    assert held.get_many(["a", "b", "c"]) == {"a": "12345", "c": "123"}
    held.update({"too large": "x" * 11})
    assert held.get_many(["a", "c", "too large"]) == {}


def test_changes_made_any_way_show_at_once(client):
    product = ProductFactory(name="Linen towel", price=2400, stock_on_hand=10)
    assert "¥2,400" in grid(client)[0]
    # A bulk update: no save(), no signal, no updated_at.
    Product.objects.filter(pk=product.pk).update(price=2600)
    assert "¥2,600" in grid(client)[0]
    Product.objects.filter(pk=product.pk).update(stock_on_hand=2)
    assert "Only 2 left" in grid(client)[0]
    Product.objects.filter(pk=product.pk).update(stock_on_hand=0)
    assert "Sold out" in grid(client)[0]
    product.refresh_from_db()
    product.name = "Hemp towel"
    product.save()
    html = grid(client)[0]
    assert "Hemp towel" in html
    assert "Linen towel" not in html
    Product.objects.filter(pk=product.pk).update(is_active=False)
    assert "Hemp towel" not in grid(client)[0]


def test_stock_changes_the_card_does_not_show_reuse_the_grid(client):
    product = ProductFactory(stock_on_hand=50)
    grid(client)
    Product.objects.filter(pk=product.pk).update(stock_on_hand=49)
    assert not grid(client)[1]


def test_each_language_has_its_own_grid(client):
    ProductFactory(name="Iron kettle", name_ja="鉄瓶", price=8000)
    english = grid(client)[0]
    client.cookies["django_language"] = "ja"
    japanese = grid(client)[0]
    assert "Iron kettle" in english
    assert "鉄瓶" not in english
    assert "鉄瓶" in japanese
    assert "Iron kettle" not in japanese


def test_nothing_of_the_visitor_is_cached(client):
    ProductFactory(name="Linen towel")
    user = UserFactory(display_name="Secret Shopper", email="secret@example.test")
    client.force_login(user)
    html, _rendered = grid(client)
    assert "Secret Shopper" in html  # the header, outside the grid
    (fragment,) = cached_fragments(GRID)
    assert "Linen towel" in fragment
    for personal in ("Secret Shopper", "secret@example.test", "csrfmiddlewaretoken"):
        assert personal not in fragment


def test_a_page_masks_its_csrf_token_once_and_again_when_it_rotates(rf):
    """The header and a page's own fragments share one masked token, as a
    template's forms do; a token rotated since (sign-in) gets a new one.
    Each field carries a token the CSRF check accepts."""
    from django.middleware.csrf import (
        _unmask_cipher_token,
        get_token,
        rotate_token,
    )

    from core.fragments import CSRF_PLACEHOLDER_INPUT, with_csrf_token

    request = rf.get("/")
    first = with_csrf_token(CSRF_PLACEHOLDER_INPUT, request)
    assert with_csrf_token(CSRF_PLACEHOLDER_INPUT, request) == first
    token = first.split('value="')[1].split('"')[0]
    get_token(request)
    assert _unmask_cipher_token(token) == request.META["CSRF_COOKIE"]
    rotate_token(request)
    after = with_csrf_token(CSRF_PLACEHOLDER_INPUT, request)
    assert after != first
    token = after.split('value="')[1].split('"')[0]
    assert _unmask_cipher_token(token) == request.META["CSRF_COOKIE"]
