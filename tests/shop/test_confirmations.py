"""Order confirmations go out through an outbox, each once
(``shop.confirmations``)."""

import smtplib

import pytest
from django.core import mail
from django.core.cache import cache
from django.urls import reverse
from django.utils.formats import localize
from django.utils.timezone import localtime

from shop import confirmations, emails, services
from shop.models import Order
from shop.tasks import send_order_confirmations

from .factories import (
    AddressFactory,
    ProductFactory,
    UserFactory,
    cart_with,
    checkout_form,
    expected_total,
    pay_in_browser,
    photographed,
    placed_order,
)

pytestmark = pytest.mark.django_db


def pending(*orders) -> list[bool]:
    for order in orders:
        order.refresh_from_db()
    return [order.confirmation_sent_at is None for order in orders]


def test_a_placed_order_is_confirmed_once_after_it_commits(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        order = placed_order()
    assert [m.to for m in mail.outbox] == [[order.buyer.email]]
    assert pending(order) == [False]
    assert confirmations.send_pending() == 0  # a second send finds nothing
    assert len(mail.outbox) == 1


@pytest.mark.parametrize("orders", [2, 8])
def test_a_send_reads_the_same_queries_for_any_number_of_orders(
    orders, django_assert_num_queries
):
    """Each order's lines, products and first photos come with the batch:
    the orders of a batch (one query), their lines with products, their
    first photos, the stamps, and the transaction's BEGIN and COMMIT, as many
    for 8 orders as for 2."""
    for _ in range(orders):
        placed_order(
            None, *((p, 1) for p in photographed(ProductFactory.create_batch(2)))
        )
    # QUEUED's delete is the cache's, not a query; the savepoint pair of
    # the test's transaction stands for BEGIN and COMMIT.
    with django_assert_num_queries(6):
        assert confirmations.send_pending() == orders
    assert len(mail.outbox) == orders
    # Each line with its first photo's thumbnail.
    assert all(m.alternatives[0][0].count("products/test/") == 2 for m in mail.outbox)


def test_orders_placed_while_a_send_is_queued_wait_for_it(
    django_capture_on_commit_callbacks,
):
    cache.set(confirmations.QUEUED, True)  # a send queued, not yet started
    with django_capture_on_commit_callbacks(execute=True):
        first, second = placed_order(), placed_order()
    assert mail.outbox == []  # neither queued a send of its own
    send_order_confirmations.delay()  # the queued one starts
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [first.buyer.email, second.buyer.email]
    )
    assert pending(first, second) == [False, False]
    assert cache.get(confirmations.QUEUED) is None  # the next order asks again


def test_mail_server_trouble_keeps_what_was_sent_and_retries_the_rest(monkeypatch):
    orders = [placed_order() for _ in range(3)]  # not committed: none sent yet
    send = emails.send_order_confirmation

    def second_one_fails(order):
        if order == orders[1]:
            raise smtplib.SMTPServerDisconnected("gone")
        send(order)

    monkeypatch.setattr(emails, "send_order_confirmation", second_one_fails)
    with pytest.raises(smtplib.SMTPServerDisconnected):
        confirmations.send_pending()
    assert pending(*orders) == [False, True, True]
    monkeypatch.setattr(emails, "send_order_confirmation", send)
    assert confirmations.send_pending() == 2
    assert [m.to for m in mail.outbox] == [[order.buyer.email] for order in orders]


def test_an_order_whose_email_cannot_be_written_does_not_hold_up_the_rest(
    monkeypatch, caplog
):
    orders = [placed_order() for _ in range(3)]
    send = emails.send_order_confirmation

    def broken_for_the_first(order):
        if order == orders[0]:
            raise ValueError("a template bug")
        send(order)

    monkeypatch.setattr(emails, "send_order_confirmation", broken_for_the_first)
    assert confirmations.send_pending(batch=2) == 2  # batches go on past it
    assert pending(*orders) == [True, False, False]
    assert f"Confirmation of order {orders[0].pk} not sent" in caplog.text


@pytest.mark.django_db(transaction=True)  # the request's own commit runs it
@pytest.mark.parametrize("paid_by", ["card", "store credit"])
def test_an_order_stands_when_its_send_cannot_be_queued(client, monkeypatch, paid_by):
    """The cache or the broker down after the order committed: the customer
    sees their order, not an error, and Beat's sweep sends the email. An
    order is placed when the card's payment settles (on the return from
    the provider's page), or at checkout when store credit pays it all."""
    buyer = UserFactory()
    client.force_login(buyer)
    address = AddressFactory(user=buyer, is_default=True)
    cart = cart_with(buyer, (ProductFactory(price=1200), 1))
    form = checkout_form(cart, address)
    if paid_by == "store credit":
        services.issue_store_credit(
            user=buyer, amount=5000, reason="Return", actor=None, reference="r-1"
        )
        form["use_store_credit"] = "on"

    def unreachable(*args, **kwargs):
        raise ConnectionError("Redis is down")

    monkeypatch.setattr(cache, "add", unreachable)
    response = client.post(reverse("shop:checkout"), form)
    assert response.status_code == 302
    if paid_by == "card":
        response = pay_in_browser(client, response)
        assert response.status_code == 200
        assert response.redirect_chain[-1][0].startswith("/orders/")
    else:
        assert response.url.startswith("/orders/")
    assert Order.objects.get().status == Order.Status.PLACED
    assert mail.outbox == []
    monkeypatch.undo()
    send_order_confirmations.delay()  # Beat's sweep
    assert [m.to for m in mail.outbox] == [[buyer.email]]


def test_an_order_awaiting_payment_is_not_confirmed(
    django_capture_on_commit_callbacks,
):
    buyer = UserFactory()
    cart = cart_with(buyer, (ProductFactory(), 1))
    with django_capture_on_commit_callbacks(execute=True):
        order = services.place_order(
            cart=cart,
            buyer=buyer,
            destination=services.Destination(address=AddressFactory(user=buyer)),
            expected_total=expected_total(cart),
        )
    assert confirmations.send_pending() == 0
    assert mail.outbox == []
    with django_capture_on_commit_callbacks(execute=True):
        services.close_payment(order=order)
    assert confirmations.send_pending() == 0  # nor once it is cancelled
    assert mail.outbox == []
    assert pending(order) == [True]


def test_staff_see_when_the_confirmation_went_out(
    staff_client, django_capture_on_commit_callbacks
):
    order = placed_order()
    url = reverse("admin:shop_order_change", args=[order.pk])
    assert "Confirmation sent at" in staff_client.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        placed_order()  # its send finds the first order too
    order.refresh_from_db()
    page = staff_client.get(url).content.decode()
    assert localize(localtime(order.confirmation_sent_at)) in page


class RunawaySend(BaseException):
    """Raised past any sane number of tries: a send that would never end.
    (A BaseException, so the outbox's own ``except Exception`` can't eat it.)"""


def _poison(monkeypatch, poisoned, *, calls=None):
    send = emails.send_order_confirmation
    calls = [] if calls is None else calls

    def fails_for_the_poisoned(order):
        calls.append(order.pk)
        if len(calls) > 50:
            raise RunawaySend()
        if order.pk in {p.pk for p in poisoned}:
            raise ValueError(f"no template for order {order.pk}")
        send(order)

    monkeypatch.setattr(emails, "send_order_confirmation", fails_for_the_poisoned)
    return calls


def test_a_run_ends_when_a_whole_batch_fails(monkeypatch):
    """Poison orders fill the batch: each is tried once in the run, its
    error is kept for staff, and the run ends."""
    poisoned = [placed_order() for _ in range(2)]
    calls = _poison(monkeypatch, poisoned)
    assert confirmations.send_pending(batch=2) == 0
    assert sorted(calls) == sorted(order.pk for order in poisoned)
    for order in poisoned:
        order.refresh_from_db()
        assert order.confirmation_sent_at is None
        assert order.confirmation_failures == 1
        assert (
            order.confirmation_error == f"ValueError: no template for order {order.pk}"
        )


def test_poison_orders_go_last_and_stop_being_tried(monkeypatch):
    poisoned = [placed_order() for _ in range(2)]
    calls = _poison(monkeypatch, poisoned)
    confirmations.send_pending(batch=2)  # both fail once
    good = placed_order()  # placed after them, sent before them
    calls.clear()
    assert confirmations.send_pending(batch=2) == 1
    assert calls[0] == good.pk
    assert [m.to for m in mail.outbox] == [[good.buyer.email]]
    for _ in range(confirmations.MAX_FAILURES):
        confirmations.send_pending(batch=2)
    calls.clear()
    assert confirmations.send_pending(batch=2) == 0
    assert calls == []  # waiting for staff now
    for order in poisoned:
        order.refresh_from_db()
        assert order.confirmation_failures == confirmations.MAX_FAILURES


def test_staff_see_a_poison_order_and_send_it_again(
    staff_client, monkeypatch, django_capture_on_commit_callbacks
):
    order, sent = placed_order(), placed_order()
    calls = _poison(monkeypatch, [order])
    for _ in range(confirmations.MAX_FAILURES):
        confirmations.send_pending()
    assert pending(order, sent) == [True, False]

    failing = staff_client.get(
        reverse("admin:shop_order_changelist") + "?confirmation=failing"
    )
    assert order.number in failing.content.decode()
    assert sent.number not in failing.content.decode()
    page = staff_client.get(reverse("admin:shop_order_change", args=[order.pk]))
    assert f"ValueError: no template for order {order.pk}" in page.content.decode()

    monkeypatch.undo()  # staff fixed the template
    calls.clear()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            reverse("admin:shop_order_changelist"),
            {"action": "send_confirmation_again",
             "_selected_action": [order.pk, sent.pk]},
        )  # fmt: skip
    assert response.status_code == 302
    assert pending(order) == [False]
    assert [m.to for m in mail.outbox] == [[order.buyer.email]]  # not `sent` again
