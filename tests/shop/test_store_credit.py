"""Store credit: issued once per reference, spent first at checkout."""

import pytest
from django.db import transaction
from django.urls import reverse

from shop import selectors, services
from shop.exceptions import InvalidCard, OutOfStock, StoreCreditChanged
from shop.models import Order, Payment, Product, StoreCreditAccount

from .factories import (
    TEST_CARD,
    AddressFactory,
    ProductFactory,
    UserFactory,
    cart_with,
    expected_total,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def buyer():
    user = UserFactory()
    services.issue_store_credit(
        user=user, amount=3000, reason="Gift return", actor=None, reference="ret-1"
    )
    return user


def _place(buyer, cart, **kwargs):
    return services.place_order(
        cart=cart,
        buyer=buyer,
        destination=services.Destination(address=AddressFactory(user=buyer)),
        expected_total=expected_total(cart),
        **kwargs,
    )


def test_issuing_twice_with_one_reference_credits_once(buyer):
    services.issue_store_credit(
        user=buyer, amount=3000, reason="Gift return", actor=None, reference="ret-1"
    )
    assert selectors.store_credit_balance(user=buyer) == 3000
    assert buyer.store_credit.entries.count() == 1


def test_credit_covers_the_whole_order_without_a_card(buyer):
    cart = cart_with(
        buyer, (ProductFactory(price=2000), 1), (ProductFactory(price=400), 1)
    )
    order = _place(buyer, cart, use_store_credit=True)
    assert order.total == 3000  # 2,400 + 600 shipping
    (payment,) = order.payments.all()
    assert (payment.provider, payment.amount) == (Payment.STORE_CREDIT, 3000)
    assert selectors.store_credit_balance(user=buyer) == 0
    assert buyer.store_credit.entries.first().amount == -3000


def test_credit_pays_first_and_the_card_the_rest(buyer):
    cart = cart_with(buyer, (ProductFactory(price=8000), 1))
    order = _place(buyer, cart, use_store_credit=True, card_number=TEST_CARD)
    assert sorted((p.provider, p.amount) for p in order.payments.all()) == [
        (Payment.STORE_CREDIT, 3000),
        ("test", 5000),
    ]
    assert selectors.store_credit_balance(user=buyer) == 0


def test_no_card_when_credit_does_not_cover_is_refused(buyer):
    cart = cart_with(buyer, (ProductFactory(price=8000), 1))
    with pytest.raises(InvalidCard):
        _place(buyer, cart, use_store_credit=True)
    assert selectors.store_credit_balance(user=buyer) == 3000
    assert not Order.objects.exists()


def test_credit_spent_elsewhere_meanwhile_changes_nothing(buyer, monkeypatch):
    cart = cart_with(buyer, (ProductFactory(price=8000), 1))
    # Another tab spends the credit between the check and the transaction.
    StoreCreditAccount.objects.filter(user=buyer).update(balance=100)
    monkeypatch.setattr(
        "shop.services.checkout.store_credit_balance", lambda user: 3000
    )
    with pytest.raises(StoreCreditChanged):
        _place(buyer, cart, use_store_credit=True, card_number=TEST_CARD)
    assert not Order.objects.exists()
    assert selectors.store_credit_balance(user=buyer) == 100


def test_a_refusal_inside_the_transaction_rolls_everything_back(buyer):
    product = ProductFactory(price=8000, stock_on_hand=2)
    cart = cart_with(buyer, (product, 1))

    def refuse(order):
        raise OutOfStock("the other app said no")

    with pytest.raises(OutOfStock):
        _place(buyer, cart, use_store_credit=True, card_number=TEST_CARD, within=refuse)
    assert not Order.objects.exists()
    assert Product.objects.get(pk=product.pk).stock_on_hand == 2
    assert selectors.store_credit_balance(user=buyer) == 3000


def test_checkout_page_offers_and_uses_credit(client, buyer):
    client.force_login(buyer)
    address = AddressFactory(user=buyer, is_default=True)
    cart = cart_with(buyer, (ProductFactory(price=1000), 1))
    page = client.get(reverse("shop:checkout"))
    assert "¥3,000 available" in page.content.decode()
    response = client.post(
        reverse("shop:checkout"),
        {
            "cart": cart.pk,
            "address": address.pk,
            "use_store_credit": "on",
            "card_number": "",
            "expected_total": 1600,
        },
    )
    order = Order.objects.get()
    assert response["Location"] == order.get_absolute_url()
    assert "Store credit" in client.get(order.get_absolute_url()).content.decode()
    assert selectors.store_credit_balance(user=buyer) == 1400


def test_carts_for_another_purpose_stay_out_of_the_everyday_cart(client):
    user = UserFactory()
    client.force_login(user)
    gift_cart = services.create_cart(owner=user, purpose="gift:1")
    services.add_to_cart(cart=gift_cart, product_id=ProductFactory().pk, quantity=1)
    page = client.get(reverse("shop:cart"))
    assert page.context["lines"] == []
    assert page.context["cart_count"] == 0
    everyday = services.create_cart(owner=user)
    assert everyday != gift_cart


def test_an_order_is_never_placed_inside_a_callers_transaction(buyer):
    """Paid with credit alone, no provider call refuses it first: the
    order's own transaction does, as it must never roll back with a
    caller's after charging."""
    cart = cart_with(buyer, (ProductFactory(price=2000), 1))
    with transaction.atomic(), pytest.raises(RuntimeError, match="durable"):
        _place(buyer, cart, use_store_credit=True)
    assert not Order.objects.exists()
    assert selectors.store_credit_balance(user=buyer) == 3000
