"""`seed_demo` loads a believable shop and can run again without duplicating."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from gifts.models import Gift
from shop.demo import DEMO_PASSWORD, DEMO_USERS
from shop.models import Category, Order, Product, Shipment, User
from support.demo import DEMO_TOTP_SECRET
from tests.shop.factories import sign_in_with_totp
from wishlist.models import WishList

pytestmark = pytest.mark.django_db


def test_seed_demo_twice(client, capsys):
    call_command("seed_demo")
    call_command("seed_demo")
    out = capsys.readouterr().out

    assert Category.objects.count() >= 8
    assert Product.objects.filter(is_active=True).count() >= 60
    assert Product.objects.exclude(name_ja="").exclude(description_ja="").count() >= 60
    assert User.objects.count() == len(DEMO_USERS)
    for data in DEMO_USERS.values():
        assert data["email"] in out
        assert client.login(username=data["email"], password=DEMO_PASSWORD)
    agent = User.objects.get(email=DEMO_USERS["agent"]["email"])
    assert agent.is_staff and not agent.is_superuser

    own = Order.objects.get(gift__isnull=True)
    assert own.buyer.email == DEMO_USERS["shopper"]["email"]
    assert sum(line.quantity for line in own.lines.all()) == 5
    assert own.shipments.get().status == Shipment.Status.DELIVERED

    wishlist = WishList.objects.get()
    assert wishlist.owner.email == DEMO_USERS["couple"]["email"]
    assert wishlist.items.count() == 12
    gifts = Gift.objects.order_by("pk")
    assert [g.order.status for g in gifts] == ["delivered", "placed"]
    assert [(g.shows_giver_name, g.discloses_address) for g in gifts] == [
        (True, True),
        (False, False),
    ]


def test_demo_agent_can_fulfil_in_the_admin(client):
    call_command("seed_demo")
    sign_in_with_totp(
        client, DEMO_USERS["agent"]["email"], DEMO_PASSWORD, DEMO_TOTP_SECRET
    )
    order = Order.objects.filter(gift__isnull=False).last()
    assert (
        client.get(reverse("admin:shop_order_change", args=[order.pk])).status_code
        == 200
    )
    assert (
        client.get(reverse("admin:shop_order_ship", args=[order.pk])).status_code == 200
    )
    assert client.get(reverse("admin:shop_shipment_changelist")).status_code == 200
