"""Staff fulfil orders in the admin: create a shipment, ship it, deliver it."""

import pytest
from django.core import mail
from django.urls import reverse

from shop import services
from shop.models import Order, Shipment
from tests.queries import assert_same_queries, queries_for

from .factories import (
    ProductFactory,
    UserFactory,
    placed_order,
)

pytestmark = pytest.mark.django_db


def _order():
    return placed_order(
        None, (ProductFactory(stock_on_hand=3), 2), (ProductFactory(stock_on_hand=5), 1)
    )


def test_staff_ship_part_of_an_order_then_the_rest(
    staff_client, django_capture_on_commit_callbacks
):
    order = _order()
    first, second = order.lines.all()
    change_page = staff_client.get(reverse("admin:shop_order_change", args=[order.pk]))
    assert (
        reverse("admin:shop_order_ship", args=[order.pk])
        in change_page.content.decode()
    )

    ship_url = reverse("admin:shop_order_ship", args=[order.pk])
    assert staff_client.get(ship_url).status_code == 200
    response = staff_client.post(
        ship_url, {f"line_{first.pk}": 1, f"line_{second.pk}": 1, "carrier": "Yamato"}
    )
    shipment = Shipment.objects.get()
    assert response.status_code == 302
    assert [(sl.order_line_id, sl.quantity) for sl in shipment.lines.all()] == [
        (first.pk, 1),
        (second.pk, 1),
    ]

    changelist = reverse("admin:shop_shipment_changelist")
    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post(
            changelist,
            {"action": "mark_shipped", "_selected_action": [shipment.pk]},
        )
    shipment.refresh_from_db()
    assert shipment.status == Shipment.Status.SHIPPED
    assert any("on its way" in m.subject for m in mail.outbox)

    staff_client.post(
        reverse("admin:shop_order_changelist"),
        {"action": "ship_everything_remaining", "_selected_action": [order.pk]},
    )
    rest = Shipment.objects.exclude(pk=shipment.pk).get()
    assert [(sl.order_line_id, sl.quantity) for sl in rest.lines.all()] == [
        (first.pk, 1)
    ]
    staff_client.post(
        changelist,
        {"action": "mark_shipped", "_selected_action": [rest.pk]},
    )
    staff_client.post(
        changelist,
        {"action": "mark_delivered", "_selected_action": [shipment.pk, rest.pk]},
    )
    order.refresh_from_db()
    assert order.status == Order.Status.DELIVERED


def test_shipping_too_many_is_a_form_error(staff_client):
    order = _order()
    first, second = order.lines.all()
    response = staff_client.post(
        reverse("admin:shop_order_ship", args=[order.pk]),
        {f"line_{first.pk}": 9, f"line_{second.pk}": 0},
    )
    assert response.status_code == 200
    assert not Shipment.objects.exists()


def test_delivering_before_shipping_is_a_warning_not_a_change(staff_client):
    order = _order()
    shipment = services.create_shipment_for_remaining(order=order, actor=None)
    response = staff_client.post(
        reverse("admin:shop_shipment_changelist"),
        {"action": "mark_delivered", "_selected_action": [shipment.pk]},
        follow=True,
    )
    assert "before delivered" in response.content.decode()
    shipment.refresh_from_db()
    assert shipment.status == Shipment.Status.PREPARING


def test_customers_cannot_reach_the_admin(client):
    client.force_login(UserFactory())
    response = client.get(reverse("admin:shop_order_changelist"))
    assert response.status_code == 302


@pytest.mark.parametrize(
    "name", ["shop_order", "shop_shipment", "shop_product", "shop_address", "shop_user"]
)
def test_changelists_cost_the_same_for_10_or_100_rows(staff_client, name):
    url = reverse(f"admin:{name}_changelist")
    for _ in range(2):
        _order()
    small = queries_for(staff_client, url)
    for _ in range(20):
        order = _order()
        services.create_shipment_for_remaining(order=order, actor=None)
    assert_same_queries(small, queries_for(staff_client, url))
