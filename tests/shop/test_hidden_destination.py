"""An order shipped to an address hidden from its buyer shows them none of it.

The shop's generic hook for gift orders, tested with a plain example: a
buyer sends an order to someone else's address with ``hidden_from_buyer``.
"""

import pytest
from django.core import mail
from django.urls import reverse

from shop import services
from tests.emails import email_text

from .factories import (
    AddressFactory,
    ProductFactory,
    UserFactory,
    placed_order,
)

pytestmark = pytest.mark.django_db

SECRETS = ("SECRET-STREET 7-7-7", "999-8888", "SECRET-CITY", "+81 90-5555-4444")


@pytest.fixture
def hidden_order(django_capture_on_commit_callbacks):
    buyer = UserFactory()
    recipient = UserFactory()
    address = AddressFactory(
        user=recipient,
        recipient_name="Recipient Real Name",
        postal_code="999-8888",
        region="沖縄県",
        city="SECRET-CITY",
        line1="SECRET-STREET 7-7-7",
        phone="+819055554444",
    )
    with django_capture_on_commit_callbacks(execute=True):
        order = placed_order(
            buyer,
            (ProductFactory(), 1),
            destination=services.Destination(
                address=address, hidden_from_buyer=True, display_name="Aiko & Ren"
            ),
        )
    return order


def _assert_absent(text: str) -> None:
    for secret in (*SECRETS, "5555-4444", "Recipient Real Name"):
        assert secret not in text, f"{secret!r} leaked"


def _assert_private(text: str) -> None:
    """Nothing of the address but the display name and the region."""
    _assert_absent(text)
    assert "Aiko &amp; Ren" in text or "Aiko & Ren" in text
    assert "Okinawa" in text


def test_order_pages_and_email_show_only_name_and_region(client, hidden_order):
    client.force_login(hidden_order.buyer)
    _assert_private(client.get(hidden_order.get_absolute_url()).content.decode())
    _assert_absent(client.get(reverse("shop:order_list")).content.decode())
    (confirmation,) = mail.outbox
    _assert_private(email_text(confirmation))


def test_shipping_email_shows_only_name_and_region(
    hidden_order, django_capture_on_commit_callbacks
):
    shipment = services.create_shipment_for_remaining(order=hidden_order, actor=None)
    with django_capture_on_commit_callbacks(execute=True):
        services.mark_shipped(shipment=shipment, actor=None, tracking_number="T-9")
    shipped = mail.outbox[-1]
    _assert_private(email_text(shipped))


def test_staff_still_see_the_full_address(staff_client, hidden_order):
    page = staff_client.get(reverse("admin:shop_order_change", args=[hidden_order.pk]))
    assert "SECRET-STREET 7-7-7" in page.content.decode()


def test_the_order_list_marks_an_order_to_someone_else_by_name_only(
    client, hidden_order
):
    own = placed_order(hidden_order.buyer)
    client.force_login(hidden_order.buyer)
    page = client.get(reverse("shop:order_list")).content.decode()
    _assert_absent(page)
    cards = {
        card.split("</strong>")[0].rsplit("Order ", 1)[-1]: card
        for card in page.split('<li class="order-card">')[1:]
    }
    assert "Gift for Aiko &amp; Ren" in cards[hidden_order.number]
    assert "Gift for" not in cards[own.number]
