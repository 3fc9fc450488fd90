"""The provider's hosted page joins the CSP's form-action only where a form
leads there.

Chromium holds a form's post, and every redirect after it, to the policy of
the page the form is on: the checkouts (place the order, then off to pay),
an order awaiting payment and the page waiting for it ("Pay now") must
allow Stripe Checkout's origin, or the browser refuses to go there. Every
other page keeps the strict policy, so an injected form cannot send
anything to that origin either.
"""

import pytest
from django.urls import reverse

from gifts import services as gift_services
from shop import services
from shop.models import Order
from tests.shop.factories import (
    AddressFactory,
    ProductFactory,
    UserFactory,
    cart_with,
    expected_total,
    placed_order,
)
from tests.wishlist.factories import WishListItemFactory

from .test_csp import EXPECTED_POLICY, policy

pytestmark = pytest.mark.django_db

STRIPE_CHECKOUT = "https://checkout.stripe.com"


def awaiting_order(buyer) -> Order:
    """An order placed and not paid: its card payment waits, at the
    configured provider, for a hosted page not opened yet."""
    cart = cart_with(buyer, (ProductFactory(), 1))
    order = services.place_order(
        cart=cart,
        buyer=buyer,
        destination=services.Destination(address=AddressFactory(user=buyer)),
        expected_total=expected_total(cart),
    )
    assert order.status == Order.Status.AWAITING_PAYMENT
    return order


def form_action(client, url: str) -> set[str]:
    response = client.get(url)
    assert response.status_code == 200, url
    return policy(response)["form-action"]


def test_stripe_is_a_form_action_only_on_the_pages_that_lead_to_it(client, settings):
    buyer = UserFactory()
    AddressFactory(user=buyer, is_default=True)
    paid = placed_order(buyer)  # on the test provider, before Stripe is chosen
    item = WishListItemFactory(product=ProductFactory(stock_on_hand=5))
    gift_services.add_gift_to_cart(giver=buyer, item=item, quantity=1)
    settings.SHOP_PAYMENT_PROVIDER = "shop.payments.StripeProvider"
    waiting = awaiting_order(buyer)
    assert waiting.payments.get().provider == "stripe"
    cart_with(buyer, (ProductFactory(), 1))
    client.force_login(buyer)

    for url in (
        reverse("shop:checkout"),
        reverse("gifts:checkout", args=[item.wishlist.share_token]),
        waiting.get_absolute_url(),
        reverse("shop:payment_return", args=[waiting.pk]),  # still waiting
    ):
        assert form_action(client, url) == {"'self'", STRIPE_CHECKOUT}, url
    for url in (
        reverse("shop:product_list"),
        reverse("shop:cart"),
        reverse("shop:order_list"),
        paid.get_absolute_url(),
    ):
        assert form_action(client, url) == EXPECTED_POLICY["form-action"], url


def test_the_test_provider_needs_no_other_origin(client):
    """Its hosted page is on our own origin: 'self' is enough everywhere."""
    buyer = UserFactory()
    AddressFactory(user=buyer, is_default=True)
    waiting = awaiting_order(buyer)
    cart_with(buyer, (ProductFactory(), 1))
    client.force_login(buyer)
    for url in (reverse("shop:checkout"), waiting.get_absolute_url()):
        assert form_action(client, url) == {"'self'"}, url
