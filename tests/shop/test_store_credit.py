"""Store credit: issued once per reference, spent first at checkout."""

import pytest
from django.core import mail
from django.db import transaction
from django.urls import reverse

from shop import selectors, services
from shop.exceptions import OutOfStock, StoreCreditChanged
from shop.models import (
    Order,
    OrderEvent,
    Payment,
    Product,
    StoreCreditAccount,
    TestProviderCharge,
    TestProviderSession,
)

from .factories import (
    AddressFactory,
    ProductFactory,
    UserFactory,
    cart_with,
    expected_total,
    pay,
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


def test_credit_covers_the_whole_order_without_a_card(
    buyer, django_capture_on_commit_callbacks
):
    cart = cart_with(
        buyer, (ProductFactory(price=2000), 1), (ProductFactory(price=400), 1)
    )
    with django_capture_on_commit_callbacks(execute=True):
        order = _place(buyer, cart, use_store_credit=True)
    assert order.total == 3000  # 2,400 + 600 shipping
    assert order.status == Order.Status.PLACED  # at once: nothing to wait for
    (payment,) = order.payments.all()
    assert (payment.provider, payment.amount, payment.status) == (
        Payment.STORE_CREDIT,
        3000,
        Payment.Status.CAPTURED,
    )
    assert selectors.store_credit_balance(user=buyer) == 0
    assert buyer.store_credit.entries.first().amount == -3000
    assert order.events.get().kind == OrderEvent.Kind.PLACED
    assert [m.to for m in mail.outbox] == [[buyer.email]]
    # It never goes to the provider.
    assert services.start_payment(order=order) is None
    assert not TestProviderSession.objects.exists()


def test_credit_pays_first_and_the_card_the_rest(buyer):
    cart = cart_with(buyer, (ProductFactory(price=8000), 1))
    order = _place(buyer, cart, use_store_credit=True)
    assert order.status == Order.Status.AWAITING_PAYMENT
    # The credit is held at once; the card is asked for the rest only.
    assert selectors.store_credit_balance(user=buyer) == 0
    assert sorted((p.provider, p.amount, p.status) for p in order.payments.all()) == [
        ("store_credit", 3000, Payment.Status.CAPTURED),
        ("test", 5000, Payment.Status.PENDING),
    ]
    services.start_payment(order=order)
    assert TestProviderSession.objects.get().amount == 5000

    assert pay(order).status == Order.Status.PLACED
    assert sorted((p.provider, p.amount, p.status) for p in order.payments.all()) == [
        ("store_credit", 3000, Payment.Status.CAPTURED),
        ("test", 5000, Payment.Status.CAPTURED),
    ]
    assert TestProviderCharge.objects.get().amount == 5000
    assert selectors.store_credit_balance(user=buyer) == 0


def test_credit_held_for_an_order_never_paid_comes_back(buyer):
    """Credit that does not cover the total is spent at once and the card
    asked for the rest; if the card never pays, the order is cancelled and
    the credit is the buyer's again."""
    cart = cart_with(buyer, (ProductFactory(price=8000), 1))
    order = _place(buyer, cart, use_store_credit=True)
    services.start_payment(order=order)
    assert selectors.store_credit_balance(user=buyer) == 0
    assert services.close_payment(order=order).status == Order.Status.CANCELLED
    assert selectors.store_credit_balance(user=buyer) == 3000
    assert not TestProviderCharge.objects.exists()


def test_credit_spent_elsewhere_meanwhile_changes_nothing(buyer, monkeypatch):
    product = ProductFactory(price=8000, stock_on_hand=2)
    cart = cart_with(buyer, (product, 1))
    # Another tab spends the credit between the check and the transaction.
    StoreCreditAccount.objects.filter(user=buyer).update(balance=100)
    monkeypatch.setattr(
        "shop.services.checkout.store_credit_balance", lambda user: 3000
    )
    with pytest.raises(StoreCreditChanged):
        _place(buyer, cart, use_store_credit=True)
    assert not Order.objects.exists()
    assert not Payment.objects.exists()
    assert selectors.store_credit_balance(user=buyer) == 100
    assert Product.objects.get(pk=product.pk).stock_on_hand == 2


def test_a_refusal_inside_the_transaction_rolls_everything_back(buyer):
    product = ProductFactory(price=8000, stock_on_hand=2)
    cart = cart_with(buyer, (product, 1))

    def refuse(order):
        raise OutOfStock("the other app said no")

    with pytest.raises(OutOfStock):
        _place(buyer, cart, use_store_credit=True, within=refuse)
    assert not Order.objects.exists()
    assert not Payment.objects.exists()
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
            "expected_total": 1600,
        },
    )
    order = Order.objects.get()
    assert order.status == Order.Status.PLACED
    assert response["Location"] == order.get_absolute_url()  # not to pay
    assert not TestProviderSession.objects.exists()
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
    caller's after the buyer was sent to pay."""
    cart = cart_with(buyer, (ProductFactory(price=2000), 1))
    with transaction.atomic(), pytest.raises(RuntimeError, match="durable"):
        _place(buyer, cart, use_store_credit=True)
    assert not Order.objects.exists()
    assert selectors.store_credit_balance(user=buyer) == 3000
