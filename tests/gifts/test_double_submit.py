"""Every state-changing POST of gifts, sent twice at the same moment from
one browser: one effect, no 500, the second shown the first's result."""

import pytest
from django.core import mail
from django.urls import reverse

from gifts import selectors, services
from gifts.models import Gift, GiftReturn
from shop import services as shop_services
from shop.models import (
    CartLine,
    Order,
    StoreCreditEntry,
    TestProviderCharge,
    TestProviderSession,
)
from tests.concurrency import post_together
from tests.double_submit import (
    admin_action_together,
    assert_same_result,
    key_on,
    messages_of,
)
from tests.shop.factories import UserFactory, deliver, pay_in_browser, sign_in_staff
from tests.wishlist.factories import WishListItemFactory

from .factories import ask_to_return, give

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def _delivered_gift(client):
    item = WishListItemFactory(desired_quantity=2)
    gift = give(item, quantity=2)
    deliver(gift.order)
    client.force_login(gift.recipient)
    return gift


def test_buy_as_a_gift_twice_puts_one_unit_in_the_gift_cart(client):
    item = WishListItemFactory(desired_quantity=3)
    client.force_login(UserFactory())
    key = key_on(client, item.wishlist.get_share_url())
    responses = post_together(
        client,
        reverse("gifts:buy", args=[item.wishlist.share_token, item.pk]),
        {"quantity": 1, "submission": key},
    )
    assert assert_same_result(responses) == reverse(
        "gifts:checkout", args=[item.wishlist.share_token]
    )
    assert CartLine.objects.get().quantity == 1


def test_paying_for_a_gift_twice_places_one_gift(client):
    """Two checkouts of one gift cart at the same moment: one order, one
    pending payment, one session at the provider, and both requests sent to
    its one page. Paid there, it is one gift."""
    item = WishListItemFactory(desired_quantity=1)
    giver = UserFactory()
    cart = services.add_gift_to_cart(giver=giver, item=item, quantity=1).cart
    client.force_login(giver)
    data = {
        "cart": cart.pk,
        "expected_total": shop_services.quote(cart=cart)[1].total,
        "message": "Congratulations!",
        "shows_giver_name": "yes",
    }
    responses = post_together(
        client, reverse("gifts:checkout", args=[item.wishlist.share_token]), data
    )
    for response in responses:
        assert not isinstance(response, BaseException), responses
        assert response.status_code == 302, response
    gift = Gift.objects.get()
    payment = gift.order.payments.get()
    session = TestProviderSession.objects.get()
    assert {r["Location"] for r in responses} == {payment.checkout_url}
    assert payment.session_id == session.reference
    assert Order.objects.count() == 1

    pay_in_browser(client, responses[0])
    gift.order.refresh_from_db()
    assert gift.order.status == Order.Status.PLACED
    assert TestProviderCharge.objects.count() == 1
    item.refresh_from_db()
    assert item.purchased_quantity == 1


def test_removing_from_the_gift_cart_twice(client):
    item = WishListItemFactory()
    giver = UserFactory()
    cart = services.add_gift_to_cart(giver=giver, item=item, quantity=1).cart
    client.force_login(giver)
    token = item.wishlist.share_token
    responses = post_together(
        client, reverse("gifts:remove", args=[token, item.product_id])
    )
    assert assert_same_result(responses) == reverse("gifts:checkout", args=[token])
    assert not cart.lines.exists()


def test_a_thank_you_sent_twice_is_one_note_and_one_email(client):
    gift = _delivered_gift(client)
    mail.outbox.clear()
    responses = post_together(
        client, reverse("gifts:thank", args=[gift.pk]), {"note": "Thank you so much!"}
    )
    assert assert_same_result(responses) == gift.get_absolute_url()
    assert all(
        messages_of(r) == ["Your note is on its way to them."] for r in responses
    )
    gift.refresh_from_db()
    assert gift.thank_you_note == "Thank you so much!"
    assert len(mail.outbox) == 1
    # A different note afterwards is still refused: one note per gift.
    other = client.post(reverse("gifts:thank", args=[gift.pk]), {"note": "Again"})
    assert messages_of(other) == [
        "You have already sent a thank-you note for this gift."
    ]


def test_a_return_requested_twice_is_one_return(client):
    gift = _delivered_gift(client)
    line = gift.lines.get()
    key = key_on(client, gift.get_absolute_url())
    responses = post_together(
        client,
        reverse("gifts:return", args=[gift.pk]),
        {
            "line": line.pk,
            "kind": "return",
            "quantity": 1,
            "reason": "",
            "submission": key,
        },
    )
    assert assert_same_result(responses) == gift.get_absolute_url()
    assert GiftReturn.objects.get().quantity == 1
    assert not any("nothing left" in m for r in responses for m in messages_of(r))
    assert selectors.returnable_quantity(gift_line=line) == 1


def test_crediting_a_returned_gift_twice_credits_once_and_emails_once(client):
    gift = _delivered_gift(client)
    gift_return = ask_to_return(gift)
    client.logout()
    sign_in_staff(client, UserFactory(is_staff=True, is_superuser=True))
    mail.outbox.clear()

    responses = admin_action_together(client, "receive_and_credit", gift_return)

    assert_same_result(responses)
    assert StoreCreditEntry.objects.filter(kind="issued").count() == 1
    gift.recipient.store_credit.refresh_from_db()
    assert gift.recipient.store_credit.balance == gift_return.amount
    assert len(mail.outbox) == 1
