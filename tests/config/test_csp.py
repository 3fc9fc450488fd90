"""The Content-Security-Policy header, and pages that keep to it.

The policy allows scripts and styles from our own origin only, so a page that
carries a style="" attribute, an inline <style> or <script>, or an onclick=
handler is broken in the browser: these tests render every main page and
look for them in the HTML.
"""

from html.parser import HTMLParser

import pytest
from django.urls import reverse

from gifts import services as gift_services
from shop import payments
from shop import services as shop_services
from shop.models import PaymentEvent
from support import services as support_services
from tests.gifts.factories import give
from tests.shop.factories import (
    AddressFactory,
    ProductFactory,
    UserFactory,
    cart_with,
    deliver,
    placed_order,
)
from tests.wishlist.factories import WishListFactory, WishListItemFactory

pytestmark = pytest.mark.django_db

EXPECTED_POLICY = {
    "default-src": {"'self'"},
    "script-src": {"'self'"},
    "style-src": {"'self'"},
    "img-src": {"'self'", "data:"},
    "form-action": {"'self'"},
    "frame-ancestors": {"'none'"},
    "base-uri": {"'self'"},
    "object-src": {"'none'"},
}
# <script type="..."> that a browser does not run, so CSP does not apply:
# allauth passes its page options to its static scripts this way.
DATA_SCRIPT_TYPES = {"application/json", "application/ld+json"}


def policy(response) -> dict[str, set[str]]:
    header = response["Content-Security-Policy"]
    directives = {}
    for part in header.split(";"):
        name, *sources = part.split()
        directives[name] = set(sources)
    return directives


class InlineCodeFinder(HTMLParser):
    """Collects what a strict style-src/script-src would refuse."""

    def __init__(self) -> None:
        super().__init__()
        self.problems: list[str] = []
        self._in_inline_script = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        position = f"line {self.getpos()[0]}"
        if "style" in attributes:
            self.problems.append(f"style attribute on <{tag}> at {position}")
        for name, value in attributes.items():
            if name.startswith("on"):
                self.problems.append(f"{name} handler on <{tag}> at {position}")
            url = (value or "").strip().lower()
            if name in {"href", "src", "action"} and url.startswith("javascript:"):
                self.problems.append(f"javascript: URL on <{tag}> at {position}")
        if tag == "style":
            self.problems.append(f"<style> element at {position}")
        runs = (attributes.get("type") or "").lower() not in DATA_SCRIPT_TYPES
        if tag == "script" and not attributes.get("src") and runs:
            self.problems.append(f"inline <script> at {position}")


def inline_code(html: str) -> list[str]:
    finder = InlineCodeFinder()
    finder.feed(html)
    finder.close()
    return finder.problems


def served(client, url: str):
    """The page at ``url``, which must be there (200)."""
    response = client.get(url)
    assert response.status_code == 200, url
    return response


def assert_keeps_to_the_policy(response) -> None:
    html = response.content.decode()
    assert " style=" not in html
    assert inline_code(html) == [], response.request["PATH_INFO"]
    assert policy(response) == EXPECTED_POLICY


def test_every_customer_page_carries_the_strict_policy(client):
    product = ProductFactory()
    for url in (
        reverse("shop:product_list"),
        product.get_absolute_url(),
        reverse("shop:cart"),
        reverse("account_login"),
    ):
        response = client.get(url)
        assert response.status_code == 200
        assert policy(response) == EXPECTED_POLICY
    # Not only on pages: redirects and errors carry it too.
    assert policy(client.get(reverse("shop:order_list"))) == EXPECTED_POLICY
    assert policy(client.get("/no-such-page/")) == EXPECTED_POLICY


def test_the_finder_notices_what_the_browser_would_refuse():
    html = (
        '<p style="color:red">x</p><style>p{}</style><script>alert(1)</script>'
        '<button onclick="go()">go</button><a href="javascript:go()">go</a>'
        '<script src="/static/js/call-status.js"></script>'
        '<script type="application/json">{"a": 1}</script>'
    )
    assert len(inline_code(html)) == 5


def test_the_shopper_pages_have_no_inline_styles_or_scripts(client):
    """Catalog, product, cart, checkout, orders, addresses, help and a case."""
    buyer = UserFactory()
    AddressFactory(user=buyer, is_default=True)
    order = placed_order(buyer, (ProductFactory(name="Yellow ink"), 2))
    deliver(order)
    case = support_services.file_case(
        customer=buyer,
        order_line=order.lines.get(),
        problem="missing_item",
        description="One was missing.",
    )
    product = ProductFactory(name="Teapot", stock_on_hand=2)
    cart_with(buyer, (product, 1))
    client.force_login(buyer)

    pages = [
        reverse("shop:product_list"),
        reverse("shop:product_list") + "?q=teapot",
        reverse("shop:product_list") + "?q=nothing-like-this",
        product.get_absolute_url(),
        reverse("shop:cart"),
        reverse("shop:checkout"),
        reverse("shop:order_list"),
        order.get_absolute_url(),
        reverse("shop:address_list"),
        reverse("shop:address_create"),
        reverse("shop:profile"),
        reverse("support:help"),
        reverse("support:get_help", args=[order.pk]),
        case.get_absolute_url(),
        reverse("account_email"),
        reverse("account_change_password"),
    ]
    for url in pages:
        assert_keeps_to_the_policy(served(client, url))


def test_the_wish_list_and_gift_pages_have_no_inline_styles_or_scripts(client):
    item = WishListItemFactory(
        desired_quantity=3, product=ProductFactory(stock_on_hand=9)
    )
    wishlist = item.wishlist
    gift = give(item, message="Congratulations!")
    deliver(gift.order)
    giver = gift.giver
    gift_services.add_gift_to_cart(giver=giver, item=item, quantity=1)

    client.force_login(giver)
    for url in (
        wishlist.get_share_url(),
        reverse("gifts:checkout", args=[wishlist.share_token]),
        reverse("gifts:sent"),
        gift.order.get_absolute_url(),
        reverse("wishlist:search") + "?name=Aiko",
        reverse("wishlist:search") + "?name=Nobody",
    ):
        assert_keeps_to_the_policy(served(client, url))

    client.force_login(wishlist.owner)
    for url in (
        reverse("wishlist:my_lists"),
        wishlist.get_absolute_url(),
        reverse("wishlist:edit", args=[wishlist.pk]),
        reverse("wishlist:create"),
        reverse("gifts:received"),
        gift.get_absolute_url(),
        reverse("gifts:slip", args=[gift.order.shipments.get().pk]),
    ):
        assert_keeps_to_the_policy(served(client, url))


def test_empty_pages_have_no_inline_styles_or_scripts(client):
    client.force_login(UserFactory())
    empty_list = WishListFactory()
    for url in (
        reverse("shop:cart"),
        reverse("shop:order_list"),
        reverse("shop:address_list"),
        reverse("wishlist:my_lists"),
        empty_list.get_share_url(),
        reverse("gifts:received"),
        reverse("gifts:sent"),
        reverse("support:help"),
    ):
        assert_keeps_to_the_policy(served(client, url))


def test_the_account_pages_have_no_inline_styles_or_scripts(client):
    for url in (
        reverse("account_login"),
        reverse("account_signup"),
        reverse("account_reset_password"),
    ):
        assert_keeps_to_the_policy(served(client, url))


def test_the_support_desk_in_the_admin_keeps_to_the_same_policy(staff_client):
    """The admin is not relaxed: Django's own pages need no inline code, and
    ours load their styles from static/css/admin-extra.css."""
    buyer = UserFactory()
    order = placed_order(buyer)
    deliver(order)
    case = support_services.file_case(
        customer=buyer, order_line=order.lines.get(), problem="defective"
    )
    for url in (
        reverse("admin:index"),
        reverse("admin:support_case_changelist"),
        reverse("admin:support_case_change", args=[case.pk]),
        reverse("admin:support_case_phone_queue"),
        reverse("admin:shop_order_change", args=[order.pk]),
        reverse("admin:shop_order_ship", args=[order.pk]),
        reverse("mfa_index"),
    ):
        response = served(staff_client, url)
        assert policy(response) == EXPECTED_POLICY
        # Django's admin pages carry the allowed kind of <script> only:
        # with a src (data-* attributes pass their options).
        assert inline_code(response.content.decode()) == [], url


def test_the_payment_admin_pages_keep_to_the_same_policy(staff_client):
    paid = placed_order()
    cart = cart_with(paid.buyer, (ProductFactory(), 1))
    unpaid = shop_services.place_order(
        cart=cart,
        buyer=paid.buyer,
        destination=shop_services.Destination(address=AddressFactory(user=paid.buyer)),
        expected_total=shop_services.quote(cart=cart)[1].total,
    )
    event = shop_services.handle_event(
        provider_name="test",
        event=payments.Event(
            id="evt_csp",
            type="checkout.session.completed",
            session=payments.CheckoutSession(
                id=paid.payments.get().session_id, status="paid"
            ),
        ),
    )
    assert event == "already paid"
    record = PaymentEvent.objects.get()
    for url in (
        reverse("admin:shop_order_change", args=[paid.pk]),
        reverse("admin:shop_order_change", args=[unpaid.pk]),
        reverse("admin:shop_order_changelist") + "?payment=awaiting",
        reverse("admin:shop_paymentevent_changelist"),
        reverse("admin:shop_paymentevent_change", args=[record.pk]),
    ):
        response = served(staff_client, url)
        assert policy(response) == EXPECTED_POLICY
        assert inline_code(response.content.decode()) == [], url
    confirm = staff_client.post(
        reverse("admin:shop_order_changelist"),
        {"action": "cancel_unpaid", "_selected_action": [unpaid.pk]},
    )
    assert confirm.status_code == 200
    assert policy(confirm) == EXPECTED_POLICY
    assert inline_code(confirm.content.decode()) == []
    assert " style=" not in confirm.content.decode()
