"""`seed_demo` loads a believable shop and can run again without duplicating."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.urls import reverse

from gifts.models import Gift
from shop.demo import DEMO_PASSWORD, DEMO_USERS
from shop.models import Category, Order, OrderEvent, Payment, Product, Shipment, User
from shop.selectors import product_list
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
    # Everyday Japanese words find the kettle; the Japanese catalog reads
    # 有田焼 as ありたやき (pykakasi alone says ありだやき).
    assert "KIT-004" in {p.sku for p in product_list(query="やかん")}
    ja = [p.sku for p in product_list(language="ja")]
    assert ja.index("KIT-002") < ja.index("BOO-007")  # 有田焼 < 芭蕉
    assert Product.objects.get(sku="KIT-002").sort_reading.startswith("ありたやき")
    assert User.objects.count() == len(DEMO_USERS)
    for data in DEMO_USERS.values():
        assert data["email"] in out
        assert client.login(username=data["email"], password=DEMO_PASSWORD)
    agent = User.objects.get(email=DEMO_USERS["agent"]["email"])
    assert agent.is_staff and not agent.is_superuser

    own = Order.objects.get(
        gift__isnull=True, buyer__email=DEMO_USERS["shopper"]["email"]
    )
    assert sum(line.quantity for line in own.lines.all()) == 5
    assert own.shipments.get().status == Shipment.Status.DELIVERED
    # Paid on the test provider's page, as a customer pays: placed once.
    payment = own.payments.get()
    assert (payment.provider, payment.status, payment.card_last4) == (
        "test",
        Payment.Status.CAPTURED,
        "4242",
    )
    assert own.events.filter(kind=OrderEvent.Kind.PAID).count() == 1
    # The couple left their payment page: an order that waits, stock held.
    waiting = Order.objects.get(buyer__email=DEMO_USERS["couple"]["email"])
    assert waiting.status == Order.Status.AWAITING_PAYMENT
    assert waiting.payments.get().checkout_url
    assert Order.objects.count() == 4

    wishlist = WishList.objects.get()
    assert wishlist.owner.email == DEMO_USERS["couple"]["email"]
    assert wishlist.items.count() == 12
    gifts = Gift.objects.order_by("pk")
    assert [g.order.status for g in gifts] == ["delivered", "placed"]
    assert [g.order.payments.get().status for g in gifts] == ["captured"] * 2
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


def test_seed_demo_refuses_a_real_provider(settings):
    """The demo card would be charged, or refused, by a real provider."""
    settings.SHOP_PAYMENT_PROVIDER = "shop.payments.StripeProvider"
    with pytest.raises(ImproperlyConfigured, match="TestPaymentProvider"):
        call_command("seed_demo")
    assert not Order.objects.exists()
