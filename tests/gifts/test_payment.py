"""What paying on the provider's page means for a gift.

A gift order is written awaiting payment, the list's counts held so no
other giver buys the same units. Until it is paid it is not the
recipient's: no page, selector, help form or email shows it to them. If it
is cancelled unpaid (the giver gives up, the page expires, the provider
says so, the sweep closes it), its units go back to the list once
(``shop.hooks.order_cancelled`` -> ``gifts.signals``), and the recipient
never learns of it. The provider hears nothing of the recipient: not their
name, not their address.
"""

import datetime
import json

import pytest
from django.conf import settings as django_settings
from django.core import mail
from django.forms.models import model_to_dict
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from gifts import selectors as gift_selectors
from gifts import services
from gifts.models import Gift
from shop import confirmations
from shop import services as shop_services
from shop.models import Order, OrderEvent, Product, TestProviderSession
from shop.payments import TestPaymentProvider
from shop.payments.test_provider import sign
from shop.services.payments import settle_stale_payments
from support import selectors as support_selectors
from support import services as support_services
from support.exceptions import NotYourLine
from support.models import Case
from tests.concurrency import run_together, twin_clients
from tests.shop.factories import (
    AddressFactory,
    ProductFactory,
    UserFactory,
    pay,
    pay_in_browser,
    session_of,
)
from tests.support.factories import help_form
from tests.wishlist.factories import WishListFactory, WishListItemFactory
from wishlist.models import WishListItem

from .factories import give

RECIPIENT_NAME = "Aiko & Ren"
RECIPIENT_EMAIL = "recipient-private@example.com"
RECIPIENT_ADDRESS = {
    "recipient_name": "RECIPIENT-REAL-NAME",
    "postal_code": "901-0001",
    "region": "沖縄県",
    "city": "RECIPIENT-CITY",
    "line1": "RECIPIENT-STREET 1-1-1",
    "line2": "RECIPIENT-BUILDING 101",
    "phone": "+819011110000",
}
# Everything of the recipient a provider must never be told, as pages and
# URLs might spell it.
RECIPIENT_SECRETS = (
    RECIPIENT_NAME,
    "Aiko",
    RECIPIENT_EMAIL,
    *RECIPIENT_ADDRESS.values(),
    "9010001",
    "9011110000",
    "Okinawa",
)
ITEM_NAME = "Cast-iron teapot"


def assert_absent(text: str, *secrets: str) -> None:
    leaked = [secret for secret in secrets if secret in text]
    assert not leaked, f"leaked: {leaked}"


@pytest.fixture
def item(request) -> WishListItem:
    """Two units wanted from the recipient's list; ``protected`` (the
    default) keeps what is bought a surprise until it arrives."""
    protected = getattr(request, "param", "protected") == "protected"
    recipient = UserFactory(display_name=RECIPIENT_NAME, email=RECIPIENT_EMAIL)
    address = AddressFactory(user=recipient, is_default=True, **RECIPIENT_ADDRESS)
    wishlist = WishListFactory(
        owner=recipient, address=address, surprise_protection=protected
    )
    return WishListItemFactory(
        wishlist=wishlist,
        product=ProductFactory(name=ITEM_NAME, price=3000, stock_on_hand=10),
        desired_quantity=2,
    )


def unpaid_gift(item: WishListItem, *, giver=None, quantity: int = 2) -> Gift:
    """A giver checks out a gift and is sent to the provider's page (its
    session opened), but has not paid."""
    giver = giver or UserFactory(email="giver@example.com")
    line = services.add_gift_to_cart(giver=giver, item=item, quantity=quantity)
    gift = services.place_gift_order(
        giver=giver,
        wishlist=item.wishlist,
        cart=line.cart,
        expected_total=shop_services.quote(cart=line.cart)[1].total,
    )
    assert gift.order.status == Order.Status.AWAITING_PAYMENT
    assert shop_services.start_payment(order=gift.order)
    return gift


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def send_confirmations() -> None:
    """Run the confirmation outbox as the worker would."""
    confirmations.send_pending()


def to(user) -> list:
    return [message for message in mail.outbox if user.email in message.to]


# --- invisible to the recipient until paid ------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("item", ["protected", "unprotected"], indirect=True)
@pytest.mark.parametrize("state", ["awaiting payment", "cancelled"])
def test_an_unpaid_gift_order_is_nowhere_for_its_recipient(item, state):
    gift = unpaid_gift(item)
    if state == "cancelled":
        shop_services.close_payment(order=gift.order)
    order = Order.objects.get(pk=gift.order_id)
    assert order.status == (
        Order.Status.CANCELLED
        if state == "cancelled"
        else Order.Status.AWAITING_PAYMENT
    )
    recipient = item.wishlist.owner
    line = order.lines.get()
    send_confirmations()
    client = signed_in(recipient)

    # The pages: not a gift, not even a surprise on its way.
    received = client.get(reverse("gifts:received"))
    assert received.context["gifts"] == []
    help_page = client.get(reverse("support:help"))
    assert help_page.context["gifts"] == []
    for response in (received, help_page):
        assert_absent(response.content.decode(), ITEM_NAME, "surprise", "Surprise")
    for url in (
        reverse("gifts:received_detail", args=[gift.pk]),
        reverse("support:get_help", args=[order.pk]),
        reverse("shop:order_detail", args=[order.pk]),
    ):
        assert client.get(url).status_code == 404, url
    filed = client.post(reverse("support:get_help", args=[order.pk]), help_form(order))
    assert filed.status_code == 404
    thanked = client.post(reverse("gifts:thank", args=[gift.pk]), {"note": "Thanks!"})
    assert thanked.status_code == 404

    # The selectors the pages and services decide with.
    assert gift_selectors.gifts_received(recipient=recipient) == []
    with pytest.raises(Gift.DoesNotExist):
        gift_selectors.received_gift(recipient=recipient, pk=gift.pk)
    with pytest.raises(Gift.DoesNotExist):
        gift_selectors.gift_for_recipient(recipient=recipient, pk=gift.pk)
    assert support_selectors.recent_gifts(customer=recipient) == []
    with pytest.raises(Order.DoesNotExist):
        support_selectors.order_for_help(customer=recipient, pk=order.pk)
    assert (
        support_selectors.may_file(customer=recipient, order_line=line).problems == ()
    )
    with pytest.raises(NotYourLine):
        support_services.check_may_file(
            customer=recipient, order_line=line, problem=Case.Problem.MISSING_ITEM
        )
    assert not Case.objects.exists()

    # No email, to either side: the giver's confirmation waits for payment.
    assert mail.outbox == []


@pytest.mark.django_db
@pytest.mark.parametrize("item", ["protected", "unprotected"], indirect=True)
def test_a_gift_order_reaches_its_recipient_once_paid(item):
    gift = unpaid_gift(item)
    recipient, giver = item.wishlist.owner, gift.giver
    pay(gift.order)
    send_confirmations()
    client = signed_in(recipient)

    (seen,) = client.get(reverse("gifts:received")).context["gifts"]
    assert seen.pk == gift.pk
    assert seen.is_surprise == item.wishlist.surprise_protection
    assert (
        client.get(reverse("gifts:received_detail", args=[gift.pk])).status_code == 200
    )
    assert len(support_selectors.recent_gifts(customer=recipient)) == 1
    help_page = client.get(reverse("support:help")).content.decode()
    if item.wishlist.surprise_protection:
        assert "A surprise on its way" in help_page
        assert ITEM_NAME not in help_page
    else:
        assert ITEM_NAME in help_page
        help_url = reverse("support:get_help", args=[gift.order_id])
        assert client.get(help_url).status_code == 200
    # The giver is confirmed now; the recipient is sent nothing by the shop.
    assert len(to(giver)) == 1
    assert to(recipient) == []


# --- cancelled unpaid: the units go back, once --------------------------------


def _giver_cancels(gift: Gift, client: Client) -> None:
    response = client.post(reverse("shop:order_cancel", args=[gift.order_id]))
    assert response["Location"] == gift.order.get_absolute_url()


def _page_expires(gift: Gift, client: Client) -> None:
    """The provider closes the page on time; the giver comes back and the
    return page asks the provider."""
    TestPaymentProvider().expire_checkout(gift.order.payments.get().session_id)
    client.get(reverse("shop:payment_return", args=[gift.order_id]))


def _provider_says_so(gift: Gift, client: Client, *, capture, settings, monkeypatch):
    """The provider's signed ``checkout.session.expired`` event reaches the
    webhook endpoint."""
    settings.SHOP_TEST_PROVIDER_WEBHOOK_URL = "http://testserver/payments/test/webhook/"
    sent: list[str] = []
    monkeypatch.setattr(
        "shop.tasks.deliver_test_provider_event.delay",
        lambda *, payload: sent.append(payload),
    )
    with capture(execute=True):
        TestPaymentProvider().expire_checkout(gift.order.payments.get().session_id)
    (payload,) = sent
    assert json.loads(payload)["type"] == "checkout.session.expired"
    answer = Client().post(
        reverse("shop:payment_webhook", args=["test"]),
        payload,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=sign(payload),
    )
    assert answer.content == b"cancelled the order"


def _sweep_closes_it(gift: Gift, client: Client) -> None:
    late = timezone.now() - datetime.timedelta(
        minutes=django_settings.SHOP_PAYMENT_MINUTES + 1
    )
    Order.objects.filter(pk=gift.order_id).update(placed_at=late)
    assert settle_stale_payments() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    "how", ["giver cancels", "page expires", "provider says so", "sweep closes it"]
)
def test_a_gift_order_cancelled_unpaid_gives_its_units_back(
    item, how, django_capture_on_commit_callbacks, settings, monkeypatch
):
    gift = unpaid_gift(item, quantity=2)
    giver_client = signed_in(gift.giver)
    share_url = item.wishlist.get_share_url()
    browsing = signed_in(UserFactory())
    assert "Bought — thank you!" in browsing.get(share_url).content.decode()
    item.refresh_from_db()
    # Held for the giver, not bought: the owner is shown nothing of it.
    assert (item.held_quantity, item.purchased_quantity) == (2, 0)
    assert item.product.stock_on_hand == 8

    if how == "giver cancels":
        _giver_cancels(gift, giver_client)
    elif how == "page expires":
        _page_expires(gift, giver_client)
    elif how == "provider says so":
        _provider_says_so(
            gift,
            giver_client,
            capture=django_capture_on_commit_callbacks,
            settings=settings,
            monkeypatch=monkeypatch,
        )
    else:
        _sweep_closes_it(gift, giver_client)

    order = Order.objects.get(pk=gift.order_id)
    assert order.status == Order.Status.CANCELLED
    item.refresh_from_db()
    assert (item.held_quantity, item.purchased_quantity) == (0, 0)
    assert Product.objects.get(pk=item.product_id).stock_on_hand == 10
    # Givers see the units wanted again (the cached list was let go of).
    assert "2 still wanted" in browsing.get(share_url).content.decode()
    # The recipient never learns of it.
    recipient = item.wishlist.owner
    assert gift_selectors.gifts_received(recipient=recipient) == []
    assert to(recipient) == []
    # Another giver may buy them, with no "already bought" to confirm.
    other = give(item, quantity=2)
    assert other.order.status == Order.Status.PLACED
    item.refresh_from_db()
    assert item.purchased_quantity == 2


@pytest.mark.django_db
def test_the_gift_form_sent_again_after_cancelling_shows_the_cancelled_order(item):
    """The giver cancels on the order's page, then resends the checkout
    form (the back button): the cancelled order, not "on its way"."""
    client = signed_in(UserFactory())
    sent = _check_out_in_browser(client, item)
    order = Gift.objects.get().order
    client.post(reverse("shop:order_cancel", args=[order.pk]))
    form = {
        "cart": order.cart_id,
        "expected_total": order.total,
        "message": "Omedetou!",
        "shows_giver_name": "yes",
    }

    again = client.post(
        reverse("gifts:checkout", args=[item.wishlist.share_token]), form, follow=True
    )

    assert again.redirect_chain[0][0] == order.get_absolute_url()
    text = again.content.decode()
    assert "on its way" not in text
    assert "This order was cancelled because it was not paid." in text
    assert Order.objects.count() == 1
    assert TestProviderSession.objects.get().reference == session_of(sent["Location"])


@pytest.mark.django_db
def test_a_paid_gift_order_gives_nothing_back(item):
    """Only a cancellation gives units back: paying, or a late word of the
    page closing after payment, never does."""
    gift = unpaid_gift(item, quantity=2)
    pay(gift.order)
    assert shop_services.close_payment(order=gift.order).status == Order.Status.PLACED
    TestPaymentProvider().expire_checkout(gift.order.payments.get().session_id)
    shop_services.refresh_payment(order=gift.order)
    item.refresh_from_db()
    assert (item.held_quantity, item.purchased_quantity) == (0, 2)


@pytest.mark.django_db(transaction=True)
@pytest.mark.slow
def test_a_gift_order_cancelled_twice_at_once_gives_its_units_back_once(item):
    """The giver's cancel sent twice at the same moment, with the sweep
    closing it too: one cancellation, one release."""
    item.desired_quantity = 3
    item.save()
    give(item, quantity=1)  # paid: stays bought
    gift = unpaid_gift(item, quantity=2)
    item.refresh_from_db()
    assert (item.held_quantity, item.purchased_quantity) == (2, 1)
    giver_client = signed_in(gift.giver)
    url = reverse("shop:order_cancel", args=[gift.order_id])

    results = run_together(
        [
            *(lambda twin=twin: twin.post(url) for twin in twin_clients(giver_client)),
            lambda: shop_services.close_payment(order=gift.order),
        ]
    )

    for result in results:
        assert not isinstance(result, BaseException), results
    for response in results[:2]:
        assert response.status_code == 302, response
    order = Order.objects.get(pk=gift.order_id)
    assert order.status == Order.Status.CANCELLED
    assert order.events.filter(kind=OrderEvent.Kind.CANCELLED).count() == 1
    item.refresh_from_db()
    assert (item.held_quantity, item.purchased_quantity) == (0, 1)
    assert Product.objects.get(pk=item.product_id).stock_on_hand == 9
    # The recipient has the paid gift, and nothing of the cancelled one.
    (received,) = gift_selectors.gifts_received(recipient=item.wishlist.owner)
    assert received.pk != gift.pk
    assert to(item.wishlist.owner) == []


# --- the provider hears nothing of the recipient -------------------------------


def _check_out_in_browser(client: Client, item: WishListItem):
    """The giver buys the item as a gift through the pages, up to being
    sent to the provider's page; returns that redirect."""
    token = item.wishlist.share_token
    client.post(reverse("gifts:buy", args=[token, item.pk]), {"quantity": 1})
    checkout_url = reverse("gifts:checkout", args=[token])
    form = client.get(checkout_url).context["form"]
    return client.post(
        checkout_url,
        {
            "cart": form["cart"].value(),
            "expected_total": form["expected_total"].value(),
            "message": "Omedetou!",
            "shows_giver_name": "yes",
        },
    )


@pytest.mark.django_db
def test_the_test_providers_page_and_session_hold_nothing_of_the_recipient(item):
    giver = UserFactory(email="giver@example.com")
    client = signed_in(giver)

    sent = _check_out_in_browser(client, item)

    order = Gift.objects.get().order
    session = TestProviderSession.objects.get()
    assert sent["Location"] == reverse(
        "shop:test_provider_page", args=[session.reference]
    )
    assert session.amount == order.total
    assert session.metadata == {
        "order": str(order.pk),
        "payment": str(order.payments.get().pk),
    }
    assert session.success_url.endswith(reverse("shop:payment_return", args=[order.pk]))
    assert session.cancel_url.endswith(order.get_absolute_url())
    assert order.number in session.description
    for field in ("description", "metadata", "success_url", "cancel_url"):
        assert_absent(str(getattr(session, field)), *RECIPIENT_SECRETS)
    assert_absent(str(model_to_dict(session)), *RECIPIENT_SECRETS)
    hosted = client.get(sent["Location"]).content.decode()
    assert_absent(hosted, *RECIPIENT_SECRETS, ITEM_NAME)

    paid = pay_in_browser(client, sent)
    assert paid.redirect_chain[-1][0] == order.get_absolute_url()
    assert session_of(sent["Location"]) == session.reference


@pytest.fixture
def stripe_shop(fake_stripe, settings):
    """The shop configured for Stripe, talking to the fake Stripe."""
    settings.SHOP_PAYMENT_PROVIDER = "shop.payments.StripeProvider"
    settings.STRIPE_API_BASE = fake_stripe.base_url
    settings.STRIPE_SECRET_KEY = fake_stripe.api_key
    settings.STRIPE_WEBHOOK_SECRET = fake_stripe.webhook_secret
    settings.STRIPE_MAX_NETWORK_RETRIES = 0
    return fake_stripe


def _session_creations(fake) -> list[dict]:
    return [
        request
        for request in fake.requests
        if request["method"] == "POST" and request["path"] == "/v1/checkout/sessions"
    ]


@pytest.mark.django_db
def test_stripe_is_told_nothing_of_the_recipient(item, stripe_shop):
    giver = UserFactory(email="giver@example.com")
    client = signed_in(giver)

    sent = _check_out_in_browser(client, item)

    order = Gift.objects.get().order
    (session,) = stripe_shop.of_type("checkout.session")
    assert sent["Location"] == session["url"]
    assert order.payments.get().session_id == session["id"]
    (creation,) = _session_creations(stripe_shop)
    params = creation["params"]
    assert params["customer_email"] == giver.email
    assert params["metadata[order]"] == str(order.pk)
    assert not [name for name in params if "shipping" in name or "address" in name]
    assert_absent(json.dumps(params, ensure_ascii=False), *RECIPIENT_SECRETS)
    # Nor in anything else the shop sent Stripe.
    assert_absent(
        json.dumps([r["params"] for r in stripe_shop.requests], ensure_ascii=False),
        *RECIPIENT_SECRETS,
    )

    stripe_shop.pay(session["id"])
    returned = client.get(reverse("shop:payment_return", args=[order.pk]))
    assert returned["Location"] == order.get_absolute_url()
    order.refresh_from_db()
    assert order.status == Order.Status.PLACED


@pytest.mark.django_db(transaction=True)
@pytest.mark.slow
def test_a_gift_checkout_sent_twice_at_once_is_one_stripe_session(item, stripe_shop):
    """Two gift checkouts of one cart at the same moment (a double click):
    one order, one pending payment, one Checkout Session at Stripe, both
    sent to its page. Paid, it is one gift."""
    giver = UserFactory()
    cart = services.add_gift_to_cart(giver=giver, item=item, quantity=1).cart
    client = signed_in(giver)
    data = {
        "cart": cart.pk,
        "expected_total": shop_services.quote(cart=cart)[1].total,
        "message": "Omedetou!",
        "shows_giver_name": "yes",
    }
    url = reverse("gifts:checkout", args=[item.wishlist.share_token])

    responses = run_together(
        [lambda twin=twin: twin.post(url, data) for twin in twin_clients(client)]
    )

    for response in responses:
        assert not isinstance(response, BaseException), responses
        assert response.status_code == 302, response
    (session,) = stripe_shop.of_type("checkout.session")
    assert {r["Location"] for r in responses} == {session["url"]}
    gift = Gift.objects.get()
    assert gift.order.payments.get().session_id == session["id"]
    # Every creation the shop sent carried the payment's one key.
    assert {r["key"] for r in _session_creations(stripe_shop)} == {
        gift.order.payments.get().idempotency_key
    }

    stripe_shop.pay(session["id"])
    shop_services.refresh_payment(order=gift.order)
    gift.order.refresh_from_db()
    assert gift.order.status == Order.Status.PLACED
    assert len(stripe_shop.of_type("charge")) == 1
    item.refresh_from_db()
    assert item.purchased_quantity == 1


@pytest.mark.django_db
def test_the_owner_sees_only_paid_gifts_while_givers_see_held_units_as_taken(item):
    """On a list without surprise protection the owner sees what was bought:
    a gift awaiting payment is not bought yet, and if it is never paid the
    owner must never have seen it come and go. Givers, though, see its
    units as taken, so two cannot buy the last one."""
    item.wishlist.surprise_protection = False
    item.wishlist.save()
    item.desired_quantity = 2
    item.save()
    gift = unpaid_gift(item, quantity=2)
    share_url = item.wishlist.get_share_url()

    owner = signed_in(item.wishlist.owner)
    assert "Bought — thank you!" not in owner.get(share_url).content.decode()
    manage = owner.get(reverse("wishlist:manage", args=[item.wishlist.pk]))
    assert "0 of 2 bought" in manage.content.decode()
    assert (
        "Bought — thank you!"
        in signed_in(UserFactory()).get(share_url).content.decode()
    )

    pay(gift.order)
    assert "Bought — thank you!" in owner.get(share_url).content.decode()
    manage = owner.get(reverse("wishlist:manage", args=[item.wishlist.pk]))
    assert "2 of 2 bought" in manage.content.decode()
