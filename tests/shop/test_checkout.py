"""Placing orders: all or nothing, idempotent, and honest about stock."""

import pytest
from django.core import mail

from shop import services
from shop.exceptions import (
    AddressNotAllowed,
    CardDeclined,
    CartChanged,
    EmptyCart,
    InsufficientFunds,
    InvalidCard,
    OutOfStock,
    ProductUnavailable,
)
from shop.models import (
    Cart,
    Order,
    OrderEvent,
    Payment,
    Product,
    TestProviderCharge,
    TestProviderRefund,
)
from shop.payments import TestPaymentProvider

from .factories import (
    DECLINED_CARD,
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
    return UserFactory()


@pytest.fixture
def address(buyer):
    return AddressFactory(user=buyer, is_default=True)


def place(cart, buyer, address, card=TEST_CARD, total=None, **destination):
    return services.place_order(
        cart=cart,
        buyer=buyer,
        destination=services.Destination(address=address, **destination),
        card_number=card,
        expected_total=expected_total(cart) if total is None else total,
    )


def test_place_order_writes_order_lines_payment_and_decrements_stock(
    buyer, address, django_capture_on_commit_callbacks
):
    kettle = ProductFactory(price=8000, stock_on_hand=3, name="Kettle")
    mug = ProductFactory(price=1500, stock_on_hand=5)
    cart = cart_with(buyer, (kettle, 1), (mug, 2))

    with django_capture_on_commit_callbacks(execute=True):
        order = place(cart, buyer, address)

    assert (order.subtotal, order.shipping_fee, order.total) == (11000, 0, 11000)
    assert [
        (line.sku, line.unit_price, line.quantity) for line in order.lines.all()
    ] == [
        (kettle.sku, 8000, 1),
        (mug.sku, 1500, 2),
    ]
    assert order.ship_to_postal_code == address.postal_code
    assert order.ship_to_line1 == address.line1
    payment = order.payments.get()
    assert (payment.amount, payment.status, payment.card_last4) == (
        11000,
        Payment.Status.CAPTURED,
        "4242",
    )
    kettle.refresh_from_db()
    mug.refresh_from_db()
    assert (kettle.stock_on_hand, mug.stock_on_hand) == (2, 3)
    cart.refresh_from_db()
    assert cart.status == Cart.Status.ORDERED
    assert order.events.get().kind == OrderEvent.Kind.PLACED
    assert len(mail.outbox) == 1
    assert order.number in mail.outbox[0].subject
    assert address.line1 in mail.outbox[0].body


def test_order_snapshot_keeps_price_when_product_changes(buyer, address):
    product = ProductFactory(price=1000)
    order = place(cart_with(buyer, (product, 1)), buyer, address)
    Product.objects.filter(pk=product.pk).update(price=99999, name="Renamed")
    line = order.lines.get()
    assert (line.unit_price, line.name) == (1000, product.name)


def test_small_order_pays_shipping(buyer, address, settings):
    settings.SHOP_SHIPPING_FEE = 600
    settings.SHOP_FREE_SHIPPING_FROM = 5000
    order = place(cart_with(buyer, (ProductFactory(price=1200), 1)), buyer, address)
    assert (order.subtotal, order.shipping_fee, order.total) == (1200, 600, 1800)


@pytest.mark.parametrize(
    ("card", "error"),
    [
        (DECLINED_CARD, CardDeclined),
        ("4000 0000 0000 9995", InsufficientFunds),
        ("1234 5678 9012 3456", InvalidCard),
        ("not a card", InvalidCard),
    ],
)
def test_refused_payment_leaves_no_order_and_no_stock_change(
    buyer, address, card, error
):
    product = ProductFactory(stock_on_hand=4)
    cart = cart_with(buyer, (product, 2))
    with pytest.raises(error):
        place(cart, buyer, address, card=card)
    assert not Order.objects.exists()
    product.refresh_from_db()
    assert product.stock_on_hand == 4
    cart.refresh_from_db()
    assert cart.status == Cart.Status.OPEN


def test_empty_cart_is_refused(buyer, address):
    cart = services.create_cart(owner=buyer)
    with pytest.raises(EmptyCart):
        place(cart, buyer, address, total=0)


def test_tampered_total_is_refused_before_charging(buyer, address):
    cart = cart_with(buyer, (ProductFactory(price=3000), 1))
    with pytest.raises(CartChanged):
        place(cart, buyer, address, total=1)
    assert not Order.objects.exists()
    assert not Payment.objects.exists()


def test_someone_elses_address_is_refused(buyer):
    stranger_address = AddressFactory()
    cart = cart_with(buyer, (ProductFactory(), 1))
    with pytest.raises(AddressNotAllowed):
        place(cart, buyer, stranger_address)
    assert not Order.objects.exists()


def test_someone_elses_cart_is_refused(buyer, address):
    cart = cart_with(UserFactory(), (ProductFactory(), 1))
    with pytest.raises(CartChanged):
        place(cart, buyer, address)


def test_inactive_product_is_refused(buyer, address):
    product = ProductFactory()
    cart = cart_with(buyer, (product, 1))
    Product.objects.filter(pk=product.pk).update(is_active=False)
    with pytest.raises(ProductUnavailable):
        place(cart, buyer, address)
    assert not Order.objects.exists()


def test_more_than_in_stock_is_refused(buyer, address):
    product = ProductFactory(stock_on_hand=5)
    cart = cart_with(buyer, (product, 5))
    Product.objects.filter(pk=product.pk).update(stock_on_hand=2)
    with pytest.raises(OutOfStock, match="only 2"):
        place(cart, buyer, address)
    product.refresh_from_db()
    assert product.stock_on_hand == 2


def test_placing_twice_returns_the_first_order(buyer, address):
    product = ProductFactory(stock_on_hand=5)
    cart = cart_with(buyer, (product, 1))
    total = expected_total(cart)
    first = place(cart, buyer, address, total=total)
    second = place(cart, buyer, address, total=total)
    assert first == second
    assert Order.objects.count() == 1
    product.refresh_from_db()
    assert product.stock_on_hand == 4


def test_hidden_destination_shows_the_buyer_only_a_name_and_region(buyer):
    someone = UserFactory()
    hidden = AddressFactory(
        user=someone,
        postal_code="604-8005",
        region="京都府",
        line1="河原町通 99-SECRET",
        phone="+819011112222",
    )
    order = place(
        cart_with(buyer, (ProductFactory(), 1)),
        buyer,
        hidden,
        hidden_from_buyer=True,
        display_name="Aiko & Ren",
    )
    assert order.ship_to_line1 == "河原町通 99-SECRET"  # fulfilment has it
    seen = order.buyer_destination()
    assert seen == {
        "hidden": True,
        "name": "Aiko & Ren",
        "region": "Kyoto",
        "country": "Japan",
    }


@pytest.fixture
def meanwhile(monkeypatch):
    """``meanwhile(change)``: ``change`` runs while the card is charged, as
    another request could (instead of the last one given); ``.refunds`` are
    the amounts the provider gave back, as its books say."""

    charge = TestPaymentProvider.charge

    class Meanwhile:
        def __call__(self, change) -> None:
            def charge_and_change(provider, **kwargs):
                made = charge(provider, **kwargs)
                change()
                return made

            monkeypatch.setattr(TestPaymentProvider, "charge", charge_and_change)

        @property
        def refunds(self) -> list[int]:
            return list(
                TestProviderRefund.objects.order_by("pk").values_list(
                    "amount", flat=True
                )
            )

    return Meanwhile()


def _nothing_written(cart, *products, stock):
    assert not Order.objects.exists()
    cart.refresh_from_db()
    assert cart.status == Cart.Status.OPEN
    for product in products:
        product.refresh_from_db()
    assert [product.stock_on_hand for product in products] == stock


def test_a_cart_changed_while_the_card_is_charged_is_refunded(
    buyer, address, meanwhile
):
    kettle = ProductFactory(price=8000, stock_on_hand=3)
    mug = ProductFactory(price=1500, stock_on_hand=5)
    cart = cart_with(buyer, (kettle, 1))
    meanwhile(lambda: services.add_to_cart(cart=cart, product_id=mug.pk, quantity=1))
    with pytest.raises(CartChanged):
        place(cart, buyer, address)
    assert meanwhile.refunds == [expected_total(cart) - 1500]
    _nothing_written(cart, kettle, mug, stock=[3, 5])

    # A quantity changed, for the same total would be a different order.
    meanwhile(
        lambda: services.set_line_quantity(cart=cart, product_id=mug.pk, quantity=2)
    )
    with pytest.raises(CartChanged):
        place(cart, buyer, address)
    _nothing_written(cart, kettle, mug, stock=[3, 5])


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"price": 9000}, CartChanged),
        ({"stock_on_hand": 0}, OutOfStock),
        ({"stock_on_hand": 1}, OutOfStock),
        ({"is_active": False}, ProductUnavailable),
    ],
)
def test_a_product_changed_while_the_card_is_charged_is_refunded(
    buyer, address, meanwhile, change, error
):
    kettle = ProductFactory(price=8000, stock_on_hand=3)
    mug = ProductFactory(price=1500, stock_on_hand=5)
    cart = cart_with(buyer, (kettle, 1), (mug, 2))
    total = expected_total(cart)
    meanwhile(lambda: Product.objects.filter(pk=mug.pk).update(**change))
    with pytest.raises(error):
        place(cart, buyer, address)
    assert meanwhile.refunds == [total]
    _nothing_written(cart, kettle, stock=[3])


def _refunded(reference: str) -> int:
    return sum(
        TestProviderRefund.objects.filter(charge__reference=reference).values_list(
            "amount", flat=True
        )
    )


def test_an_attempt_that_rolls_back_refunds_its_charge_and_the_next_is_charged_anew(
    buyer, address, meanwhile
):
    kettle = ProductFactory(price=8000, stock_on_hand=3)
    cart = cart_with(buyer, (kettle, 2))
    total = expected_total(cart)
    meanwhile(lambda: Product.objects.filter(pk=kettle.pk).update(stock_on_hand=1))
    with pytest.raises(OutOfStock):
        place(cart, buyer, address, total=total)
    (failed,) = TestProviderCharge.objects.all()
    assert _refunded(failed.reference) == failed.amount == total

    # Restocked, the same cart, nothing changed in it: a new attempt, with a
    # key of its own, is charged anew, not handed the refunded charge.
    Product.objects.filter(pk=kettle.pk).update(stock_on_hand=3)
    meanwhile(lambda: None)
    order = place(cart, buyer, address, total=total)
    payment = order.payments.get()
    assert payment.reference != failed.reference
    charge = TestProviderCharge.objects.get(reference=payment.reference)
    assert (charge.amount, _refunded(charge.reference)) == (total, 0)


def test_after_a_rolled_back_attempt_a_changed_cart_gets_a_fresh_charge(
    buyer, address, meanwhile
):
    kettle = ProductFactory(price=8000, stock_on_hand=3)
    cart = cart_with(buyer, (kettle, 2))
    meanwhile(lambda: Product.objects.filter(pk=kettle.pk).update(stock_on_hand=1))
    with pytest.raises(OutOfStock):
        place(cart, buyer, address)
    meanwhile(lambda: None)
    services.set_line_quantity(cart=cart, product_id=kettle.pk, quantity=1)
    order = place(cart, buyer, address)
    assert TestProviderCharge.objects.count() == 2
    kept = TestProviderCharge.objects.get(reference=order.payments.get().reference)
    assert (kept.amount, _refunded(kept.reference)) == (8000, 0)


def test_a_twin_that_finds_the_order_placed_leaves_its_charge_alone(
    buyer, address, monkeypatch
):
    """A double click, one step at a time: while the first request is at
    the provider, its twin places the order with the same key (so the same
    charge). The first then finds the order and must not refund it."""
    cart = cart_with(buyer, (ProductFactory(price=5000, stock_on_hand=3), 1))
    total = expected_total(cart)
    charge = TestPaymentProvider.charge
    twins = []

    def charge_while_the_twin_places_the_order(provider, **kwargs):
        made = charge(provider, **kwargs)
        if not twins:
            twins.append(None)  # the twin's own charge goes straight through
            twins[0] = place(cart, buyer, address, total=total)
        return made

    monkeypatch.setattr(
        TestPaymentProvider, "charge", charge_while_the_twin_places_the_order
    )
    first = place(cart, buyer, address, total=total)

    assert first == twins[0]
    made = TestProviderCharge.objects.get()
    assert first.payments.get().reference == made.reference
    assert not TestProviderRefund.objects.exists()
