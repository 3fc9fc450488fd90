"""The built-in test provider end to end over HTTP, as ``make run`` uses it:
its hosted page takes the card, and its signed event reaches the shop's
webhook on the live server (the Celery task runs eagerly here), which
places the order before the buyer is even back."""

import pytest
from django.urls import reverse

from config.celery_app import app
from shop.models import Order, Payment, PaymentEvent, TestProviderSession
from shop.services import payments as payment_services
from shop.views import payment as payment_views
from tests.double_submit import messages_of
from tests.shop.factories import (
    DECLINED_CARD,
    TEST_CARD,
    AddressFactory,
    ProductFactory,
    UserFactory,
    cart_with,
    checkout_form,
)

from .books import refreshed, webhook_url

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


@pytest.fixture
def hosted_page(client, live_server, settings):
    """A buyer has checked out on the test provider, whose events go to the
    live server: ``(client, order, the hosted page's path)``."""
    settings.SHOP_TEST_PROVIDER_WEBHOOK_URL = webhook_url(live_server, "test")
    buyer = UserFactory()
    client.force_login(buyer)
    address = AddressFactory(user=buyer, is_default=True)
    cart = cart_with(buyer, (ProductFactory(stock_on_hand=5), 2))
    response = client.post(reverse("shop:checkout"), checkout_form(cart, address))
    order = Order.objects.get()
    assert order.status == Order.Status.AWAITING_PAYMENT
    page = response["Location"]
    assert page == order.payments.get().checkout_url
    return client, order, page


def test_paying_on_the_hosted_page_sends_a_signed_event_that_places_the_order(
    hosted_page,
):
    client, order, page = hosted_page
    declined = client.post(page, {"card_number": DECLINED_CARD})
    assert declined.status_code == 200  # the page again, for another card
    assert not PaymentEvent.objects.exists()

    response = client.post(page, {"card_number": TEST_CARD})

    assert response.status_code == 302
    assert response["Location"].endswith(
        reverse("shop:payment_return", args=[order.pk])
    )
    # Placed by the event, before the buyer is back on the return page.
    event = PaymentEvent.objects.get()
    assert (event.provider, event.type, event.outcome) == (
        "test",
        "checkout.session.completed",
        "placed the order",
    )
    order = refreshed(order)
    assert order.status == Order.Status.PLACED
    payment = order.payments.get()
    assert payment.status == Payment.Status.CAPTURED
    session = TestProviderSession.objects.get(reference=payment.session_id)
    assert payment.reference == session.charge.reference

    back = client.get(reverse("shop:payment_return", args=[order.pk]))
    assert back["Location"] == order.get_absolute_url()
    assert any("Thank you" in m for m in messages_of(back))
    assert PaymentEvent.objects.count() == 1


def test_a_delivery_the_endpoint_answers_500_is_retried(hosted_page, monkeypatch):
    """The endpoint fails (a database hiccup: 500) twice: the delivery task
    retries, signing afresh, until it is accepted, and the event is acted
    on once. (Eager tasks retry in place only when their errors are not
    raised to the caller, as a worker's are not.)"""
    monkeypatch.setitem(app.conf, "task_eager_propagates", False)
    client, order, page = hosted_page
    calls = []

    def flaky(**kwargs):
        calls.append(kwargs["event"].id)
        if len(calls) <= 2:
            raise RuntimeError("the database went away")
        return payment_services.handle_event(**kwargs)

    monkeypatch.setattr(payment_views.services, "handle_event", flaky)

    # The test client would take the live server's errors (a signal, sent
    # from its thread) for its own request's.
    client.raise_request_exception = False
    response = client.post(page, {"card_number": TEST_CARD})

    assert response.status_code == 302
    assert len(calls) == 3
    assert len(set(calls)) == 1  # one event, delivered three times
    assert PaymentEvent.objects.get().outcome == "placed the order"
    assert refreshed(order).status == Order.Status.PLACED
