"""Every state-changing POST of the shop, sent twice at the same moment (a
double click) from one browser: one effect, no 500, and the second request
shown the first one's result. Real threads on PostgreSQL."""

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse

from shop.models import Address, Cart, CartLine, Shipment, User
from tests.concurrency import post_together
from tests.double_submit import (
    admin_action_together,
    assert_same_result,
    key_on,
    keys_in,
    messages_of,
)

from .factories import (
    PASSWORD,
    STAFF_TOTP_SECRET,
    AddressFactory,
    ProductFactory,
    UserFactory,
    cart_with,
    placed_order,
    totp_code,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

ADDRESS = {
    "recipient_name": "Aiko Tanaka",
    "country": "JP",
    "postal_code": "1500041",
    "region": "東京都",
    "city": "渋谷区神南",
    "line1": "1-2-3",
    "phone": "090-1234-5678",
}


# --- Cart ---------------------------------------------------------------------


def test_add_to_cart_twice_adds_once(client, buyer):
    product = ProductFactory(stock_on_hand=10)
    key = key_on(client, product.get_absolute_url())
    url = reverse("shop:cart_add", args=[product.pk])

    responses = post_together(client, url, {"quantity": 2, "submission": key})

    assert assert_same_result(responses) == reverse("shop:cart")
    assert CartLine.objects.get(cart__owner=buyer).quantity == 2
    assert all(
        messages_of(r) == [f"Added {product.display_name} to your cart."]
        for r in responses
    )
    # A new submission of the same form (the page shown again) adds again.
    key = key_on(client, product.get_absolute_url())
    client.post(url, {"quantity": 1, "submission": key})
    assert CartLine.objects.get(cart__owner=buyer).quantity == 3


def test_a_new_visitors_double_click_opens_one_cart_with_one_unit(client):
    product = ProductFactory(stock_on_hand=10)
    # The page comes from the shared page cache the second time: its key is
    # new for each visitor and each time it is served, never stored.
    first = client.get(product.get_absolute_url()).content.decode()
    served = [client.get(product.get_absolute_url()) for _ in range(2)]
    assert all(not response.templates for response in served)  # from the cache
    keys = keys_in(first) + [keys_in(r.content.decode())[0] for r in served]
    assert len(set(keys)) == 3

    responses = post_together(
        client,
        reverse("shop:cart_add", args=[product.pk]),
        {"quantity": 1, "submission": keys[-1]},
    )

    assert assert_same_result(responses) == reverse("shop:cart")
    cart = Cart.objects.get()
    assert [(line.product_id, line.quantity) for line in cart.lines.all()] == [
        (product.pk, 1)
    ]


def test_setting_a_quantity_twice_sets_it(client, buyer):
    product = ProductFactory(stock_on_hand=10)
    cart = cart_with(buyer, (product, 1))
    responses = post_together(
        client, reverse("shop:cart_update", args=[product.pk]), {"quantity": 3}
    )
    assert assert_same_result(responses) == reverse("shop:cart")
    assert cart.lines.get().quantity == 3
    assert not any(messages_of(r) for r in responses)


def test_removing_a_line_twice_removes_it(client, buyer):
    product, kept = ProductFactory(), ProductFactory()
    cart = cart_with(buyer, (product, 1), (kept, 1))
    responses = post_together(client, reverse("shop:cart_remove", args=[product.pk]))
    assert assert_same_result(responses) == reverse("shop:cart")
    assert [line.product_id for line in cart.lines.all()] == [kept.pk]


# --- Profile, address book, language ------------------------------------------


def test_saving_the_profile_twice_saves_it(client, buyer):
    responses = post_together(
        client,
        reverse("shop:profile"),
        {"display_name": "Aiko", "phone": "090-1234-5678"},
    )
    assert assert_same_result(responses) == reverse("shop:profile")
    buyer.refresh_from_db()
    assert buyer.display_name == "Aiko"


def test_a_new_address_sent_twice_is_added_once(client, buyer):
    key = key_on(client, reverse("shop:address_create"))
    responses = post_together(
        client, reverse("shop:address_create"), {**ADDRESS, "submission": key}
    )
    assert assert_same_result(responses) == reverse("shop:address_list")
    address = Address.objects.get(user=buyer)
    assert address.is_default
    assert all(messages_of(r) == ["Address saved."] for r in responses)


def test_a_new_address_with_an_error_keeps_its_key_when_sent_again(client, buyer):
    key = key_on(client, reverse("shop:address_create"))
    page = client.post(
        reverse("shop:address_create"),
        {**ADDRESS, "postal_code": "x", "submission": key},
    )
    assert keys_in(page.content.decode()) == [key]


def test_editing_an_address_twice_saves_it(client, buyer):
    address = AddressFactory(user=buyer, is_default=True)
    url = reverse("shop:address_edit", args=[address.pk])
    responses = post_together(client, url, {**ADDRESS, "city": "札幌市"})
    assert assert_same_result(responses) == reverse("shop:address_list")
    assert Address.objects.get(user=buyer).city == "札幌市"


def test_deleting_an_address_twice_deletes_it_and_both_land_on_the_book(client, buyer):
    kept = AddressFactory(user=buyer)
    address = AddressFactory(user=buyer, is_default=True)
    url = reverse("shop:address_delete", args=[address.pk])

    responses = post_together(client, url)

    assert assert_same_result(responses) == reverse("shop:address_list")
    assert list(Address.objects.filter(user=buyer)) == [kept]
    assert Address.objects.get().is_default
    # A twin arriving after the first committed: the same page, not a 404.
    late = client.post(url)
    assert late.status_code == 302
    assert messages_of(late) == ["Address deleted."]
    # Someone else's address is still a 404.
    theirs = AddressFactory()
    assert (
        client.post(reverse("shop:address_delete", args=[theirs.pk])).status_code == 404
    )


def test_making_an_address_the_default_twice(client, buyer):
    AddressFactory(user=buyer, is_default=True)
    address = AddressFactory(user=buyer)
    responses = post_together(
        client, reverse("shop:address_make_default", args=[address.pk])
    )
    assert assert_same_result(responses) == reverse("shop:address_list")
    assert Address.objects.get(user=buyer, is_default=True) == address


def test_switching_language_twice(client, buyer):
    responses = post_together(
        client, reverse("set_language"), {"language": "ja", "next": "/"}
    )
    assert assert_same_result(responses) == "/"
    assert User.objects.get(pk=buyer.pk).language == "ja"


# --- Accounts (allauth) -------------------------------------------------------


def _signup(client, email: str) -> dict:
    return {
        "email": email,
        "password1": "a-long-new-password",
        "password2": "a-long-new-password",
        "submission": key_on(client, reverse("account_signup")),
    }


def test_signing_up_twice_at_once_makes_one_account_and_sends_one_email(client):
    responses = post_together(
        client, reverse("account_signup"), _signup(client, "new@example.com")
    )
    assert assert_same_result(responses) == reverse("account_email_verification_sent")
    assert User.objects.filter(email="new@example.com").count() == 1
    assert EmailAddress.objects.filter(email="new@example.com").count() == 1
    assert len(mail.outbox) == 1


def test_a_signup_sent_again_after_it_committed_sends_no_second_email(client):
    data = _signup(client, "new@example.com")
    first = client.post(reverse("account_signup"), data)
    again = client.post(reverse("account_signup"), data)
    assert first["Location"] == again["Location"]
    assert User.objects.filter(email="new@example.com").count() == 1
    assert len(mail.outbox) == 1
    # A new sign-up with that email (not a twin) still gets allauth's
    # "you already have an account" email, as before.
    client.post(reverse("account_signup"), _signup(client, "new@example.com"))
    assert len(mail.outbox) == 2


def test_adding_an_email_address_twice_adds_it_once(client, buyer):
    mail.outbox.clear()
    responses = post_together(
        client,
        reverse("account_email"),
        {"action_add": "", "email": "second@example.com"},
    )
    assert EmailAddress.objects.filter(email="second@example.com").count() == 1
    assert len(mail.outbox) == 1  # one verification email
    # allauth's own answer: the twin that ran at the same moment is
    # redirected like the first (get_or_create); one that ran after the first
    # committed gets the same page, which lists the address, with "already
    # on your account". Never a 500.
    for response in responses:
        assert not isinstance(response, BaseException), responses
        if response.status_code == 200:
            page = response.content.decode()
            assert "second@example.com" in page
            assert "already associated with this account" in page
        else:
            assert response["Location"] == reverse("account_email")


def test_forgot_password_sent_twice_at_once_sends_one_link(client):
    user = UserFactory()
    data = {
        "email": user.email,
        "submission": key_on(client, reverse("account_reset_password")),
    }
    responses = post_together(client, reverse("account_reset_password"), data)
    assert assert_same_result(responses) == reverse("account_reset_password_done")
    assert [m.to for m in mail.outbox] == [[user.email]]
    # A new visit to the form is a new request: it is sent.
    data["submission"] = key_on(client, reverse("account_reset_password"))
    client.post(reverse("account_reset_password"), data)
    assert len(mail.outbox) == 2


def test_signing_in_twice_at_once(client):
    user = UserFactory()
    responses = post_together(
        client, reverse("account_login"), {"login": user.email, "password": PASSWORD}
    )
    assert assert_same_result(responses) == reverse("shop:product_list")


def test_signing_out_twice_at_once(client, buyer):
    responses = post_together(client, reverse("account_logout"))
    assert assert_same_result(responses) == "/"


def test_changing_the_password_twice_at_once(client, buyer):
    data = {
        "oldpassword": PASSWORD,
        "password1": "another-long-password",
        "password2": "another-long-password",
    }
    responses = post_together(client, reverse("account_change_password"), data)
    for response in responses:
        assert not isinstance(response, BaseException), responses
        assert response.status_code in (200, 302), response
    # The first changed it; the twin, checked against the old password once
    # the first committed, is refused with a form error, never a 500.
    buyer.refresh_from_db()
    assert buyer.check_password("another-long-password")


# --- Admin: fulfilment --------------------------------------------------------


def test_create_shipment_sent_twice_makes_one_parcel(staff_client):
    order = placed_order(None, (ProductFactory(stock_on_hand=5), 2))
    line = order.lines.get()
    url = reverse("admin:shop_order_ship", args=[order.pk])
    key = key_on(staff_client, url)

    # One of the two units: the twin could otherwise ship the other.
    responses = post_together(
        staff_client,
        url,
        {f"line_{line.pk}": 1, "carrier": "Yamato", "submission": key},
    )

    shipment = Shipment.objects.get()
    assert assert_same_result(responses) == reverse(
        "admin:shop_shipment_change", args=[shipment.pk]
    )
    assert shipment.lines.get().quantity == 1
    assert order.events.filter(kind="shipment_created").count() == 1
    # Sent again later (the back button): still that parcel.
    late = staff_client.post(url, {f"line_{line.pk}": 1, "submission": key})
    assert late["Location"] == responses[0]["Location"]
    assert Shipment.objects.count() == 1


def test_ship_everything_remaining_twice_makes_one_parcel(staff_client):
    order = placed_order(None, (ProductFactory(stock_on_hand=5), 2))
    responses = admin_action_together(staff_client, "ship_everything_remaining", order)
    assert_same_result(responses)
    assert Shipment.objects.count() == 1
    said = sorted(m for r in responses for m in messages_of(r))
    assert said == [
        "1 shipment(s) created.",
        f"{order}: Everything in this order is already in a shipment.",
    ]


def test_mark_shipped_twice_emails_the_customer_once(staff_client):
    order = placed_order(None, (ProductFactory(), 1))
    shipment = Shipment.objects.create(order=order)
    shipment.lines.create(order_line=order.lines.get(), quantity=1)
    mail.outbox.clear()

    responses = admin_action_together(staff_client, "mark_shipped", shipment)

    assert_same_result(responses)
    shipment.refresh_from_db()
    assert shipment.status == Shipment.Status.SHIPPED
    assert order.events.filter(kind="shipped").count() == 1
    assert len(mail.outbox) == 1
    assert all(messages_of(r) == ["1 shipment(s) updated."] for r in responses)


def test_mark_delivered_twice_records_one_delivery(staff_client):
    order = placed_order(None, (ProductFactory(), 1))
    shipment = Shipment.objects.create(order=order, status=Shipment.Status.SHIPPED)
    shipment.lines.create(order_line=order.lines.get(), quantity=1)

    responses = admin_action_together(staff_client, "mark_delivered", shipment)

    assert_same_result(responses)
    shipment.refresh_from_db()
    assert shipment.status == Shipment.Status.DELIVERED
    assert order.events.filter(kind="delivered").count() == 1


def test_the_second_factor_sent_twice_at_once_signs_in_once(client):
    """A staff member double-clicks "Sign in" on the TOTP step: allauth
    accepts a code once (replays are refused), so one request signs in and
    the twin is told the code was not accepted — never a 500 — and the
    browser, sharing the session, is signed in."""
    from allauth.mfa.adapter import get_adapter
    from allauth.mfa.models import Authenticator

    staff = UserFactory(is_staff=True)
    Authenticator.objects.create(
        user=staff,
        type=Authenticator.Type.TOTP,
        data={"secret": get_adapter().encrypt(STAFF_TOTP_SECRET)},
    )
    response = client.post(
        reverse("account_login"), {"login": staff.email, "password": PASSWORD}
    )
    assert response["Location"] == reverse("mfa_authenticate")

    responses = post_together(
        client, reverse("mfa_authenticate"), {"code": totp_code(STAFF_TOTP_SECRET)}
    )

    for response in responses:
        assert not isinstance(response, BaseException), responses
        assert response.status_code in (200, 302), response
    signed_in = [r for r in responses if r.status_code == 302]
    assert len(signed_in) >= 1
    twin = client
    twin.cookies = signed_in[0].client.cookies
    assert twin.get(reverse("admin:index")).status_code == 200


def test_send_the_confirmation_again_twice_emails_once(staff_client):
    from shop import confirmations
    from shop.models import Order

    order = placed_order(None, (ProductFactory(), 1))
    Order.objects.filter(pk=order.pk).update(
        confirmation_sent_at=None,
        confirmation_failures=confirmations.MAX_FAILURES,
        confirmation_error="ValueError: a template bug, since fixed",
    )
    mail.outbox.clear()

    responses = admin_action_together(staff_client, "send_confirmation_again", order)

    assert_same_result(responses)
    order.refresh_from_db()
    assert order.confirmation_sent_at is not None
    assert [m.to for m in mail.outbox] == [[order.buyer.email]]
