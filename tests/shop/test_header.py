"""Every page's header is cached (core.templatetags.site_header), once for
each of signed in or not, staff or not, and the language: the customer's
name, cart count, the search box's text and the page to come back to are
filled in per request, so each shows its change at once and nothing of one
customer reaches another's page."""

import re

import pytest
from django.middleware.csrf import _unmask_cipher_token
from django.test import Client
from django.urls import reverse

from shop import services
from shop.models import User

from .factories import ProductFactory, UserFactory, cart_with

pytestmark = pytest.mark.django_db


def _header(client: Client, path: str = "/cart/") -> str:
    response = client.get(path)
    assert response.status_code == 200
    page = response.content.decode()
    return page[page.index('<header class="site-header">') : page.index("</header>")]


def _menu_name(header: str) -> str:
    return re.search(r"<summary>(.*?)</summary>", header, re.S)[1]


def _count(header: str) -> str:
    return re.search(r'<span class="badge">(\d+)<', header)[1]


def test_the_name_and_cart_count_show_their_change_at_once(client, buyer):
    buyer.display_name = "Aiko"
    buyer.save()
    product = ProductFactory()
    header = _header(client)
    assert _menu_name(header) == "Aiko" and _count(header) == "0"
    cart = cart_with(buyer, (product, 2))
    assert _count(_header(client)) == "2"
    assert _count(_header(client, product.get_absolute_url())) == "2"
    services.set_line_quantity(cart=cart, product_id=product.pk, quantity=5)
    assert _count(_header(client, "/")) == "5"
    User.objects.filter(pk=buyer.pk).update(display_name="Aiko Sato")
    assert _menu_name(_header(client)) == "Aiko Sato"


def test_no_customer_sees_another_customers_name_count_or_token(client, buyer):
    buyer.display_name = "Aiko"
    buyer.save()
    cart_with(buyer, (ProductFactory(), 3))
    other = UserFactory(display_name="Ren")
    cart_with(other, (ProductFactory(), 1))
    other_client = Client()
    other_client.force_login(other)
    for _ in range(2):  # the second time from the cache
        mine, theirs = _header(client), _header(other_client)
        assert (_menu_name(mine), _count(mine)) == ("Aiko", "3")
        assert (_menu_name(theirs), _count(theirs)) == ("Ren", "1")
        assert "Ren" not in mine and "Aiko" not in theirs
        for page, owner in ((mine, client), (theirs, other_client)):
            tokens = re.findall(r'name="csrfmiddlewaretoken" value="(\w+)"', page)
            assert len(tokens) == 2  # log out, language
            assert {_unmask_cipher_token(token) for token in tokens} == {
                owner.cookies["csrftoken"].value
            }


def test_staff_and_visitors_each_get_their_own_header(client):
    staff = UserFactory(is_staff=True)
    customer = UserFactory()
    staff_client, customer_client = Client(), Client()
    staff_client.force_login(staff)
    customer_client.force_login(customer)
    admin_link = f'href="{reverse("admin:index")}"'
    for _ in range(2):
        assert admin_link in _header(staff_client)
        assert admin_link not in _header(customer_client)
        visitor = _header(client)
        assert reverse("account_login") in visitor
        assert reverse("account_logout") not in visitor
        assert "<summary>" not in visitor


def test_the_search_text_and_the_page_to_return_to_are_each_requests(client, buyer):
    ProductFactory(name="Kettle")
    header = _header(client, "/?q=kettle")
    assert 'name="q" value="kettle"' in header
    assert 'name="next" value="/?q=kettle"' in header
    header = _header(client, "/?q=%3Cb%3Epot%22")
    assert 'name="q" value="&lt;b&gt;pot&quot;"' in header
    assert 'name="next" value="/?q=%3Cb%3Epot%22"' in header
    header = _header(client)
    assert 'name="q" value=""' in header and 'name="next" value="/cart/"' in header


def test_a_name_cannot_pose_as_what_is_filled_in(client, buyer):
    """What a customer typed is escaped: it can neither imitate a marker
    nor be read as markup."""
    User.objects.filter(pk=buyer.pk).update(
        display_name="<!--per-request:next--> <b>A</b>"
    )
    header = _header(client)
    assert _menu_name(header) == "&lt;!--per-request:next--&gt; &lt;b&gt;A&lt;/b&gt;"
    assert "<!--per-request" not in header


def test_each_language_has_its_own_header(client, buyer):
    for _ in range(2):  # the second time from the cache
        client.post(reverse("set_language"), {"language": "ja", "next": "/cart/"})
        header = _header(client)
        assert "ログアウト" in header and 'value="en"' in header
        assert "Log out" not in header
        client.post(reverse("set_language"), {"language": "en", "next": "/cart/"})
        header = _header(client)
        assert "Log out" in header and 'value="ja"' in header
        assert "ログアウト" not in header
