"""What every page's head tells browsers and search engines: the site's
icon, served where each kind of client looks for it, a description of the
page, and the robots.txt crawlers read first. Lighthouse checks the same on
five pages in a browser (tests/audit); these check them on every kind of
page, without one."""

from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from tests.shop.factories import CategoryFactory, ProductFactory, UserFactory
from tests.wishlist.factories import WishListFactory

pytestmark = pytest.mark.django_db

DEFAULT_DESCRIPTION = "Hoshii is a shop with wish lists"


class _Head(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.icons: dict[str, str] = {}
        self.descriptions: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "link" and attrs.get("rel") in ("icon", "apple-touch-icon"):
            self.icons[attrs.get("type") or attrs["rel"]] = attrs["href"]
        if tag == "meta" and attrs.get("name") == "description":
            self.descriptions.append(attrs["content"])


def _head(response) -> _Head:
    assert response.status_code == 200
    head = _Head()
    head.feed(response.content.decode())
    return head


def _body(response) -> bytes:
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def test_favicon_ico_is_served_at_the_root(client):
    response = client.get("/favicon.ico")

    assert response.status_code == 200
    assert response["Content-Type"] in ("image/x-icon", "image/vnd.microsoft.icon")
    assert _body(response)[:4] == b"\x00\x00\x01\x00"  # an icon file's header


def test_robots_txt_lets_crawlers_see_the_shop_but_not_the_admin(client):
    response = client.get("/robots.txt")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    rules = _body(response).decode()
    assert "User-agent: *" in rules
    disallowed = {
        line.split(":", 1)[1].strip()
        for line in rules.splitlines()
        if line.startswith("Disallow:")
    }
    assert disallowed == {"/admin/", "/payments/", "/callbacks/"}


def test_every_page_names_the_icons_and_they_are_served(client):
    head = _head(client.get(reverse("shop:product_list")))

    assert set(head.icons) == {"icon", "image/svg+xml", "apple-touch-icon"}
    types = {
        "icon": ("image/x-icon", "image/vnd.microsoft.icon"),
        "image/svg+xml": ("image/svg+xml",),
        "apple-touch-icon": ("image/png",),
    }
    for kind, href in head.icons.items():
        response = client.get(href)
        assert response.status_code == 200, href
        assert response["Content-Type"] in types[kind], href


def test_the_admin_shows_the_same_icon(staff_client):
    head = _head(staff_client.get(reverse("admin:index")))

    assert set(head.icons) == {"icon", "image/svg+xml", "apple-touch-icon"}


def test_the_home_page_and_the_login_page_describe_the_shop(client):
    for url in (reverse("shop:product_list"), reverse("account_login")):
        head = _head(client.get(url))
        assert len(head.descriptions) == 1, url
        assert head.descriptions[0].startswith(DEFAULT_DESCRIPTION), url


def test_a_product_is_described_by_its_own_description(client):
    product = ProductFactory(description="A rice cooker. " * 20)
    head = _head(client.get(product.get_absolute_url()))

    assert len(head.descriptions) == 1
    assert head.descriptions[0].startswith("A rice cooker. A rice cooker.")
    assert len(head.descriptions[0]) <= 160


def test_a_product_without_a_description_gets_the_shops(client):
    product = ProductFactory(description="")
    head = _head(client.get(product.get_absolute_url()))

    assert head.descriptions[0].startswith(DEFAULT_DESCRIPTION)


def test_a_category_is_described_by_its_name(client):
    category = CategoryFactory(name="Kitchen")
    head = _head(client.get(category.get_absolute_url()))

    assert head.descriptions == [
        "Kitchen at Hoshii, to buy for yourself or to put on a wish list."
    ]


def test_a_wish_list_is_described_by_its_owners_words_or_their_name(client):
    described = WishListFactory(description='Our "first home" together.')
    plain = WishListFactory(
        description="", owner=UserFactory(display_name="Mai"), title="Birthday"
    )

    assert _head(client.get(described.get_share_url())).descriptions == [
        'Our "first home" together.'
    ]
    assert _head(client.get(plain.get_share_url())).descriptions == [
        "A wish list by Mai on Hoshii: choose a gift for them from it."
    ]


def test_the_description_is_in_the_visitors_language(client):
    try:
        response = client.get(reverse("shop:product_list"), HTTP_ACCEPT_LANGUAGE="ja")
    finally:
        # The middleware leaves the language it chose active in this thread.
        translation.activate(settings.LANGUAGE_CODE)
    head = _head(response)

    assert head.descriptions[0].startswith("Hoshii は、ほしい物リストのある")
