"""Support and orders not paid for: an order awaiting payment, or cancelled
unpaid, has not shipped and never will, so there is nothing to report about
it. No case can be filed on it, by its buyer or, for a gift, by either
side, and no help page offers it."""

import pytest
from django.urls import reverse

from gifts import services as gift_services
from shop import services as shop_services
from shop.models import Order
from support import selectors, services
from support.exceptions import NotYourLine
from support.models import Case
from tests.gifts.factories import give
from tests.shop.factories import (
    AddressFactory,
    ProductFactory,
    UserFactory,
    cart_with,
    expected_total,
    pay,
)
from tests.wishlist.factories import WishListItemFactory

from .factories import help_form

pytestmark = pytest.mark.django_db

STATES = ["awaiting payment", "cancelled"]


def unpaid_order(buyer, *, state: str = "awaiting payment", name: str = "Kettle"):
    """An order of ``buyer``'s sent to the provider's page and not paid;
    cancelled by the buyer if ``state`` says so."""
    cart = cart_with(buyer, (ProductFactory(name=name), 1))
    order = shop_services.place_order(
        cart=cart,
        buyer=buyer,
        destination=shop_services.Destination(address=AddressFactory(user=buyer)),
        expected_total=expected_total(cart),
    )
    shop_services.start_payment(order=order)
    if state == "cancelled":
        order = shop_services.close_payment(order=order, actor=buyer)
    assert order.status == (
        Order.Status.CANCELLED
        if state == "cancelled"
        else Order.Status.AWAITING_PAYMENT
    )
    return order


def unpaid_gift_order(item, *, giver, state: str) -> Order:
    """A gift order of ``giver``'s from ``item``'s list, like ``unpaid_order``."""
    line = gift_services.add_gift_to_cart(giver=giver, item=item, quantity=1)
    gift = gift_services.place_gift_order(
        giver=giver,
        wishlist=item.wishlist,
        cart=line.cart,
        expected_total=expected_total(line.cart),
    )
    shop_services.start_payment(order=gift.order)
    if state == "cancelled":
        shop_services.close_payment(order=gift.order, actor=giver)
    return Order.objects.get(pk=gift.order_id)


def assert_nothing_to_file(customer, order: Order) -> None:
    line = order.lines.get()
    assert selectors.may_file(customer=customer, order_line=line).problems == ()
    for problem in Case.Problem:
        with pytest.raises(NotYourLine):
            services.check_may_file(customer=customer, order_line=line, problem=problem)
    with pytest.raises(NotYourLine):
        services.file_case(
            customer=customer, order_line=line, problem=Case.Problem.NOT_DELIVERED
        )
    with pytest.raises(Order.DoesNotExist):
        selectors.order_for_help(customer=customer, pk=order.pk)


@pytest.mark.parametrize("state", STATES)
def test_no_case_can_be_filed_on_an_unpaid_order(client, state):
    buyer = UserFactory()
    order = unpaid_order(buyer, state=state)

    assert_nothing_to_file(buyer, order)
    client.force_login(buyer)
    help_url = reverse("support:get_help", args=[order.pk])
    assert client.get(help_url).status_code == 404
    assert client.post(help_url, help_form(order)).status_code == 404
    assert not Case.objects.exists()


@pytest.mark.parametrize("state", STATES)
def test_neither_side_of_an_unpaid_gift_may_file(client, state):
    """The giver may not even ask where it is; the recipient has no gift."""
    item = WishListItemFactory()
    giver = UserFactory()
    order = unpaid_gift_order(item, giver=giver, state=state)

    for customer in (giver, item.wishlist.owner):
        assert_nothing_to_file(customer, order)
        client.force_login(customer)
        help_url = reverse("support:get_help", args=[order.pk])
        assert client.post(help_url, help_form(order)).status_code == 404
    assert not Case.objects.exists()


def test_an_order_once_paid_may_be_reported_on():
    """The control: the same order, paid, is the buyer's to report on."""
    buyer = UserFactory()
    order = pay(unpaid_order(buyer))

    line = order.lines.get()
    assert selectors.may_file(customer=buyer, order_line=line).problems
    case = services.file_case(
        customer=buyer, order_line=line, problem=Case.Problem.NOT_DELIVERED
    )
    assert case.order == order


def test_the_help_pages_offer_only_paid_orders(client):
    buyer = UserFactory()
    paid = pay(unpaid_order(buyer, name="Paid teapot"))
    waiting = unpaid_order(buyer, name="Waiting kettle")
    cancelled = unpaid_order(buyer, state="cancelled", name="Cancelled mug")
    client.force_login(buyer)

    assert list(selectors.recent_orders(customer=buyer)) == [paid]
    home = client.get(reverse("support:help"))
    assert list(home.context["orders"]) == [paid]
    text = home.content.decode()
    assert reverse("support:get_help", args=[paid.pk]) in text
    assert "Paid teapot" in text
    for unpaid in (waiting, cancelled):
        assert reverse("support:get_help", args=[unpaid.pk]) not in text
        assert unpaid.lines.get().name not in text

    # The order's own page offers help once paid, not before.
    for order, offered in ((paid, True), (waiting, False), (cancelled, False)):
        detail = client.get(order.get_absolute_url())
        assert detail.status_code == 200
        help_url = reverse("support:get_help", args=[order.pk])
        assert (help_url in detail.content.decode()) is offered, order.status


@pytest.mark.parametrize("state", STATES)
def test_the_giver_of_an_unpaid_gift_is_not_asked_where_it_is(client, state):
    """ "Where is my gift?" is for a gift paid for and on its way; the help
    page lists the giver's paid gift order only."""
    giver = UserFactory()
    sent = give(WishListItemFactory(), giver=giver)
    order = unpaid_gift_order(WishListItemFactory(), giver=giver, state=state)
    client.force_login(giver)

    detail = client.get(order.get_absolute_url()).content.decode()
    assert "Where is my gift?" not in detail
    assert reverse("support:get_help", args=[order.pk]) not in detail
    paid_detail = client.get(sent.order.get_absolute_url()).content.decode()
    assert "Where is my gift?" in paid_detail
    assert list(client.get(reverse("support:help")).context["orders"]) == [sent.order]
