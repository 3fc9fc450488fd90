"""Placing orders: all or nothing, idempotent, and honest about stock.

An order that needs a card is written *awaiting payment*, its stock held,
and is paid afterwards on the provider's hosted page: no card reaches
``place_order``, and nothing it refuses ever opens a payment page.
"""

import pytest
from django.core import mail

from shop import services
from shop.addresses import PostalAddress
from shop.exceptions import (
    AddressNotAllowed,
    CardDeclined,
    CardExpired,
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
    TestProviderSession,
)
from shop.payments import TestPaymentProvider

from .factories import (
    DECLINED_CARD,
    AddressFactory,
    ProductFactory,
    UserFactory,
    cart_with,
    expected_total,
    pay,
    session_of,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def buyer():
    return UserFactory()


@pytest.fixture
def address(buyer):
    return AddressFactory(user=buyer, is_default=True)


def place(cart, buyer, address, total=None, **destination):
    return services.place_order(
        cart=cart,
        buyer=buyer,
        destination=services.Destination(address=address, **destination),
        expected_total=expected_total(cart) if total is None else total,
    )


def test_place_order_writes_order_lines_payment_and_holds_stock(
    buyer, address, django_capture_on_commit_callbacks
):
    kettle = ProductFactory(price=8000, stock_on_hand=3, name="Kettle")
    mug = ProductFactory(price=1500, stock_on_hand=5)
    cart = cart_with(buyer, (kettle, 1), (mug, 2))

    with django_capture_on_commit_callbacks(execute=True):
        order = place(cart, buyer, address)

    assert order.status == Order.Status.AWAITING_PAYMENT
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
    assert (payment.provider, payment.amount, payment.status, payment.reference) == (
        "test",
        11000,
        Payment.Status.PENDING,
        None,
    )
    kettle.refresh_from_db()
    mug.refresh_from_db()
    assert (kettle.stock_on_hand, mug.stock_on_hand) == (2, 3)  # held for it
    cart.refresh_from_db()
    assert cart.status == Cart.Status.ORDERED
    assert order.events.get().kind == OrderEvent.Kind.AWAITING_PAYMENT
    assert mail.outbox == []  # nothing is confirmed before it is paid
    assert not TestProviderSession.objects.exists()  # opened when the buyer pays

    with django_capture_on_commit_callbacks(execute=True):
        order = pay(order)

    assert order.status == Order.Status.PLACED
    payment.refresh_from_db()
    assert (payment.status, payment.card_last4) == (Payment.Status.CAPTURED, "4242")
    assert payment.reference == TestProviderCharge.objects.get().reference
    assert list(order.events.values_list("kind", flat=True)) == [
        OrderEvent.Kind.AWAITING_PAYMENT,
        OrderEvent.Kind.PAID,
    ]
    assert len(mail.outbox) == 1
    assert order.number in mail.outbox[0].subject
    assert address.line1 in mail.outbox[0].body
    kettle.refresh_from_db()
    assert kettle.stock_on_hand == 2  # taken once, when it was ordered


def test_order_snapshot_keeps_price_when_product_changes(buyer, address):
    product = ProductFactory(price=1000)
    order = place(cart_with(buyer, (product, 1)), buyer, address)
    Product.objects.filter(pk=product.pk).update(price=99999, name="Renamed")
    line = order.lines.get()
    assert (line.unit_price, line.name) == (1000, product.name)
    assert pay(order).payments.get().amount == order.total  # the price ordered at


def test_small_order_pays_shipping(buyer, address, settings):
    settings.SHOP_SHIPPING_FEE = 600
    settings.SHOP_FREE_SHIPPING_FROM = 5000
    order = place(cart_with(buyer, (ProductFactory(price=1200), 1)), buyer, address)
    assert (order.subtotal, order.shipping_fee, order.total) == (1200, 600, 1800)
    assert order.payments.get().amount == 1800


@pytest.mark.parametrize(
    ("card", "error"),
    [
        (DECLINED_CARD, CardDeclined),
        ("4000 0000 0000 9995", InsufficientFunds),
        ("4000 0000 0000 0069", CardExpired),
        ("1234 5678 9012 3456", InvalidCard),
        ("not a card", InvalidCard),
    ],
)
def test_a_refused_card_leaves_the_order_waiting_with_its_stock_held(
    buyer, address, card, error
):
    """The provider's page refuses the card and stays open for another, as
    Stripe's does: nothing is charged, and the order keeps waiting."""
    product = ProductFactory(stock_on_hand=4)
    order = place(cart_with(buyer, (product, 2)), buyer, address)
    url = services.start_payment(order=order)

    with pytest.raises(error):
        TestPaymentProvider().pay(session_of(url), card)

    assert not TestProviderCharge.objects.exists()
    session = TestProviderSession.objects.get()
    assert (session.status, session.last_error) == (
        TestProviderSession.Status.OPEN,
        str(error.default_message),
    )
    order = services.refresh_payment(order=order)
    assert order.status == Order.Status.AWAITING_PAYMENT
    assert order.payments.get().status == Payment.Status.PENDING
    product.refresh_from_db()
    assert product.stock_on_hand == 2
    # Another card on the same page pays it.
    assert pay(order).status == Order.Status.PLACED
    assert TestProviderCharge.objects.count() == 1


def test_empty_cart_is_refused(buyer, address):
    cart = services.create_cart(owner=buyer)
    with pytest.raises(EmptyCart):
        place(cart, buyer, address, total=0)
    assert not Payment.objects.exists()


def test_tampered_total_is_refused_before_any_order(buyer, address):
    product = ProductFactory(price=3000, stock_on_hand=4)
    cart = cart_with(buyer, (product, 1))
    with pytest.raises(CartChanged):
        place(cart, buyer, address, total=1)
    assert not Order.objects.exists()
    assert not Payment.objects.exists()
    assert not TestProviderSession.objects.exists()
    assert Product.objects.get(pk=product.pk).stock_on_hand == 4
    cart.refresh_from_db()
    assert cart.status == Cart.Status.OPEN


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
    assert not Order.objects.exists()


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


def test_placing_twice_returns_the_first_order_and_its_one_payment_page(buyer, address):
    product = ProductFactory(stock_on_hand=5)
    cart = cart_with(buyer, (product, 1))
    total = expected_total(cart)
    first = place(cart, buyer, address, total=total)
    url = services.start_payment(order=first)
    second = place(cart, buyer, address, total=total)
    assert first == second
    assert services.start_payment(order=second) == url
    assert Order.objects.count() == 1
    assert Payment.objects.count() == 1
    assert TestProviderSession.objects.count() == 1
    product.refresh_from_db()
    assert product.stock_on_hand == 4
    # Paid, the same cart still gives back the one order, paid once.
    pay(first)
    assert place(cart, buyer, address, total=total) == first
    assert TestProviderCharge.objects.count() == 1


def test_hidden_destination_shows_the_buyer_only_a_name_and_region(buyer):
    someone = UserFactory()
    hidden = AddressFactory(
        user=someone,
        recipient_name="Ren SECRET-NAME",
        postal_code="604-8005",
        region="JP-26",
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
        # Not yet removed after delivery (shop.services.forget_destinations).
        "forgotten_at": None,
        "address": PostalAddress(name="Aiko & Ren", country="JP", region="JP-26"),
        "name": "Aiko & Ren",
        "region": "Kyoto",
        "country": "Japan",
    }
    # The provider's page is shown to the buyer: nothing of the address
    # goes to it, in its description or its metadata.
    services.start_payment(order=order)
    session = TestProviderSession.objects.get()
    sent = f"{session.description} {session.metadata} {session.success_url}"
    for secret in ("SECRET", "604-8005", "京都", "+8190"):
        assert secret not in sent


@pytest.fixture
def meanwhile(monkeypatch):
    """``meanwhile(change)``: ``change`` runs after ``place_order`` has read
    and checked the cart and before it writes, as another request could.
    The change runs once (a twin's own check goes straight through)."""

    from shop.services import checkout

    check = checkout.check_in_stock

    def __call__(change) -> None:
        pending = [change]

        def check_then_change(**kwargs):
            check(**kwargs)
            if pending:
                pending.pop()()

        monkeypatch.setattr(checkout, "check_in_stock", check_then_change)

    return __call__


def _nothing_written(cart, *products, stock):
    assert not Order.objects.exists()
    assert not Payment.objects.exists()
    assert not TestProviderSession.objects.exists()
    cart.refresh_from_db()
    assert cart.status == Cart.Status.OPEN
    for product in products:
        product.refresh_from_db()
    assert [product.stock_on_hand for product in products] == stock


def test_a_cart_changed_after_the_check_changes_nothing(buyer, address, meanwhile):
    kettle = ProductFactory(price=8000, stock_on_hand=3)
    mug = ProductFactory(price=1500, stock_on_hand=5)
    cart = cart_with(buyer, (kettle, 1))
    meanwhile(lambda: services.add_to_cart(cart=cart, product_id=mug.pk, quantity=1))
    with pytest.raises(CartChanged):
        place(cart, buyer, address)
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
def test_a_product_changed_after_the_check_changes_nothing(
    buyer, address, meanwhile, change, error
):
    kettle = ProductFactory(price=8000, stock_on_hand=3)
    mug = ProductFactory(price=1500, stock_on_hand=5)
    cart = cart_with(buyer, (kettle, 1), (mug, 2))
    meanwhile(lambda: Product.objects.filter(pk=mug.pk).update(**change))
    with pytest.raises(error):
        place(cart, buyer, address)
    # The kettle's stock, taken in the same transaction, went back with it.
    _nothing_written(cart, kettle, stock=[3])


def test_after_a_refused_attempt_the_next_gets_a_payment_page_of_its_own(
    buyer, address, meanwhile
):
    """A refused attempt leaves nothing at the provider, and its rollback
    leaves no key behind: the next order, for a smaller cart, gets its own
    page for its own amount, never one opened for the first."""
    kettle = ProductFactory(price=8000, stock_on_hand=3)
    cart = cart_with(buyer, (kettle, 2))
    meanwhile(lambda: Product.objects.filter(pk=kettle.pk).update(stock_on_hand=1))
    with pytest.raises(OutOfStock):
        place(cart, buyer, address)
    _nothing_written(cart, kettle, stock=[1])

    services.set_line_quantity(cart=cart, product_id=kettle.pk, quantity=1)
    order = pay(place(cart, buyer, address))
    assert order.status == Order.Status.PLACED
    session = TestProviderSession.objects.get()
    assert session.amount == order.total == 8000
    assert session.idempotency_key == order.payments.get().idempotency_key
    assert TestProviderCharge.objects.get().amount == 8000


def test_a_twin_that_places_the_order_first_gives_the_other_its_order(
    buyer, address, meanwhile
):
    """A double click, one step at a time: after the first request checked
    the cart, its twin places the order. The first then finds that order
    and returns it: one order, one payment, one payment page."""
    cart = cart_with(buyer, (ProductFactory(price=5000, stock_on_hand=3), 1))
    total = expected_total(cart)
    twins = []
    meanwhile(lambda: twins.append(place(cart, buyer, address, total=total)))
    first = place(cart, buyer, address, total=total)

    assert first == twins[0]
    assert Order.objects.count() == 1
    assert first.payments.get().status == Payment.Status.PENDING
    assert services.start_payment(order=first) == services.start_payment(order=twins[0])
    assert TestProviderSession.objects.count() == 1


def test_cart_lines_read_as_the_orm_reads():
    """Checkout reads a cart's lines with plain SQL (``_cart_lines``): the
    rows, products and cart the ORM's select_related reads, field by field,
    in product order, only the owner's cart for the purpose asked."""
    from shop.models import CartLine
    from shop.services.checkout import _cart_lines

    def fields(row) -> dict:
        model = type(row)
        return {f.attname: getattr(row, f.attname) for f in model._meta.concrete_fields}

    buyer = UserFactory()
    products = ProductFactory.create_batch(3)
    cart = cart_with(buyer, (products[2], 1), (products[0], 2), (products[1], 3))
    cart_with(buyer, (products[0], 1))  # another cart of the buyer's
    expected = list(
        CartLine.objects.select_related("product", "cart")
        .filter(cart=cart)
        .order_by("product_id")
    )

    for lines in (
        _cart_lines(pk=cart.pk),
        services.checkout_cart(cart_id=cart.pk, buyer=buyer)[1],
    ):
        assert [fields(line) for line in lines] == [fields(e) for e in expected]
        assert [fields(line.product) for line in lines] == [
            fields(e.product) for e in expected
        ]
        assert [fields(line.cart) for line in lines] == [
            fields(e.cart) for e in expected
        ]
        assert all(line._state.db and not line._state.adding for line in lines)
    assert _cart_lines(pk=cart.pk, owner=UserFactory()) == []
    assert _cart_lines(pk=cart.pk, owner=buyer, purpose="gift") == []
