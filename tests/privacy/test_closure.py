"""Closing an account (issue #20): each outcome, the refusal while an order
waits to ship, resuming after a crash, a double click, staff on a written
request, and planted markers that no page, admin list, search or email
shows afterwards, while the books still add up."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.core import mail
from django.db.models import Sum
from django.test import Client
from django.urls import reverse

from gifts import services as gift_services
from privacy import closure
from privacy import services as privacy_services
from privacy.models import DataRequest
from privacy.tasks import finish_pending_closures
from shop import emails as shop_emails
from shop import services as shop_services
from shop.models import (
    Address,
    Order,
    Payment,
    Refund,
    StoreCreditAccount,
    StoreCreditEntry,
    User,
)
from support import services as support_services
from support.models import Case
from support.permissions import AGENT_GROUP
from tests.concurrency import post_together
from tests.double_submit import assert_same_result
from tests.emails import email_text
from tests.gifts.factories import give
from tests.shop.factories import (
    PASSWORD,
    AddressFactory,
    ProductFactory,
    UserFactory,
    cart_with,
    deliver,
    expected_total,
    placed_order,
    sign_in_staff,
)
from tests.support.factories import customer_asks_for_call, file_question
from tests.wishlist.factories import WishListFactory, WishListItemFactory

pytestmark = pytest.mark.django_db

NAME = "ZEBULON-MARKER-NAME"
EMAIL = "zebulon-marker@example.com"
PHONE = "+819077771234"
PHONE_FORMS = ("+819077771234", "+81 90-7777-1234", "090-7777-1234", "09077771234")
STREET = "MARKER-STREET 9-9-9"
CITY = "MARKER-CITY"
POSTAL = "904-0321"
RECIPIENT = "MARKER-RECIPIENT-NAME"
CASE_WORDS = "MARKER-CASE-WORDS"
GIFT_MESSAGE = "MARKER-GIFT-MESSAGE"
THANKS = "MARKER-THANK-YOU"
LIST_TITLE = "MARKER-LIST-TITLE"
MARKERS = (
    NAME,
    EMAIL,
    *PHONE_FORMS,
    STREET,
    CITY,
    POSTAL,
    RECIPIENT,
    CASE_WORDS,
    GIFT_MESSAGE,
    THANKS,
    LIST_TITLE,
)


def assert_absent(text: str, where: str) -> None:
    leaked = [marker for marker in MARKERS if marker in text]
    assert not leaked, f"{where} shows {leaked}"


def customer(**fields) -> User:
    return UserFactory(email=EMAIL, display_name=NAME, phone=PHONE, **fields)


def marked_address(user: User) -> Address:
    return AddressFactory(
        user=user,
        is_default=not user.addresses.filter(is_default=True).exists(),
        recipient_name=RECIPIENT,
        postal_code=POSTAL,
        region="JP-47",
        city=CITY,
        line1=STREET,
        phone=PHONE,
    )


def unpaid_order(buyer: User) -> Order:
    cart = cart_with(buyer, (ProductFactory(), 1))
    return shop_services.place_order(
        cart=cart,
        buyer=buyer,
        destination=shop_services.Destination(address=marked_address(buyer)),
        expected_total=expected_total(cart),
    )


def delivered_order(buyer: User) -> Order:
    order = placed_order(
        buyer,
        destination=shop_services.Destination(address=marked_address(buyer)),
    )
    deliver(order)
    return Order.objects.get(pk=order.pk)


def signed_in(user: User, *, reauthenticated: bool = True) -> Client:
    """A browser signed in through the login form and, unless told not to,
    that has just confirmed its password again (allauth's re-authentication,
    which holds for five minutes)."""
    client = Client()
    response = client.post(
        reverse("account_login"), {"login": user.email, "password": PASSWORD}
    )
    assert response.status_code == 302, response.content[:300]
    if reauthenticated:
        response = client.post(
            reverse("account_reauthenticate"), {"password": PASSWORD}
        )
        assert response.status_code == 302, response.content[:300]
    return client


def confirm(client: Client) -> object:
    page = client.get(reverse("privacy:close_account"))
    assert page.status_code == 200
    key = page.content.decode().split('name="submission" value="')[1].split('"')[0]
    return client.post(
        reverse("privacy:close_account"), {"confirm": "on", "submission": key}
    )


def books(user: User) -> tuple:
    orders = Order.objects.filter(buyer=user)
    return (
        orders.count(),
        orders.aggregate(total=Sum("total"))["total"],
        Payment.objects.filter(order__buyer=user).aggregate(sum=Sum("amount"))["sum"],
        Refund.objects.filter(order__buyer=user).aggregate(sum=Sum("amount"))["sum"],
    )


# --- The customer's own closure ---------------------------------------------


def test_the_confirmation_asks_to_sign_in_again():
    user = customer()
    client = signed_in(user, reauthenticated=False)
    response = client.get(reverse("privacy:close_account"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_reauthenticate"))


def test_the_confirmation_page_states_each_outcome_for_this_customer():
    user = customer()
    order = unpaid_order(user)
    case = file_question(delivered_order(user).lines.get(), "where is it")
    customer_asks_for_call(case)
    shop_services.issue_store_credit(user=user, amount=1500, reason="x", actor=None)
    WishListFactory(owner=user)

    page = signed_in(user).get(reverse("privacy:close_account")).content.decode()

    assert f"Order {order.number} is waiting for payment: it will be cancelled" in page
    assert "Your open support case will be closed." in page
    assert "The phone call you booked will be cancelled." in page
    assert "Your store credit of ¥1,500 will be forfeited" in page
    assert "Your wish list and its share link will stop working." in page
    assert "kept for the books for 7 years" in page
    assert 'name="confirm"' in page


def test_closure_is_refused_while_an_order_waits_to_ship():
    user = customer()
    order = placed_order(user)
    client = signed_in(user)

    page = client.get(reverse("privacy:close_account")).content.decode()
    assert f"Order {order.number} has not shipped yet." in page
    assert order.get_absolute_url() in page
    assert 'name="confirm"' not in page

    response = client.post(reverse("privacy:close_account"), {"confirm": "on"})
    assert response.status_code == 200
    assert "has not shipped yet" in response.content.decode()
    user.refresh_from_db()
    assert user.is_active and user.email == EMAIL
    refused = DataRequest.objects.get(user=user)
    assert refused.status == DataRequest.Status.FAILED
    assert order.number in refused.result


def test_the_box_must_be_ticked():
    user = customer()
    response = signed_in(user).post(reverse("privacy:close_account"), {})
    assert response.status_code == 200
    assert "Tick the box to confirm." in response.content.decode()
    assert User.objects.get(pk=user.pk).is_active


def test_closing_signs_out_everywhere_and_signing_in_again_fails():
    user = customer()
    elsewhere = signed_in(user, reauthenticated=False)
    client = signed_in(user)

    response = confirm(client)

    assert response.status_code == 302
    assert response["Location"] == reverse("privacy:closed")
    closed_page = client.get(reverse("privacy:closed")).content.decode()
    assert "Your account is closed" in closed_page
    # The other browser is signed out on its next request.
    assert elsewhere.get(reverse("shop:profile")).status_code == 302
    again = Client().post(
        reverse("account_login"), {"login": EMAIL, "password": PASSWORD}
    )
    assert again.status_code == 200
    assert "not correct" in again.content.decode()
    user.refresh_from_db()
    assert not user.is_active and not user.has_usable_password()
    assert user.email == f"closed-{user.pk}@closed.invalid"
    assert not user.emailaddress_set.exists()
    done = DataRequest.objects.get(user=user)
    assert done.status == DataRequest.Status.DONE
    assert done.requested_by == user and done.finished_at
    assert done.steps_done == closure.STEP_NAMES


@pytest.mark.django_db(transaction=True)
def test_a_double_click_closes_once_and_both_see_the_result():
    user = customer()
    client = signed_in(user)
    page = client.get(reverse("privacy:close_account")).content.decode()
    key = page.split('name="submission" value="')[1].split('"')[0]

    responses = post_together(
        client, reverse("privacy:close_account"), {"confirm": "on", "submission": key}
    )

    assert assert_same_result(responses) == reverse("privacy:closed")
    assert DataRequest.objects.filter(user=user).count() == 1
    assert DataRequest.objects.get(user=user).status == DataRequest.Status.DONE


def test_the_twin_arriving_signed_out_sees_the_result():
    user = customer()
    client = signed_in(user)
    page = client.get(reverse("privacy:close_account")).content.decode()
    key = page.split('name="submission" value="')[1].split('"')[0]
    form = {"confirm": "on", "submission": key}

    first = client.post(reverse("privacy:close_account"), form)
    second = client.post(reverse("privacy:close_account"), form)

    assert first["Location"] == second["Location"] == reverse("privacy:closed")
    # A stranger's made-up key is not a twin.
    stranger = Client().post(
        reverse("privacy:close_account"), {**form, "submission": "x" * 22}
    )
    assert stranger["Location"] != reverse("privacy:closed")


# --- Each outcome ------------------------------------------------------------


def test_each_outcome(django_capture_on_commit_callbacks):
    user = customer()
    unpaid = unpaid_order(user)
    delivered = delivered_order(user)
    case = file_question(delivered.lines.get(), CASE_WORDS)
    call = customer_asks_for_call(case)
    shop_services.issue_store_credit(user=user, amount=1200, reason="x", actor=None)
    item = WishListItemFactory(wishlist__owner=user, wishlist__title=LIST_TITLE)
    item.wishlist.address = marked_address(user)
    item.wishlist.save()
    empty_list = WishListFactory(owner=user)
    giver = UserFactory(language="en")
    waiting_gift = give(item, giver=giver)
    shipped_item = WishListItemFactory(wishlist=item.wishlist)
    shipped_gift = give(shipped_item, giver=giver)
    parcel = shop_services.create_shipment_for_remaining(
        order=shipped_gift.order, actor=None
    )
    shop_services.mark_shipped(shipment=parcel, actor=None)
    token = item.wishlist.share_token
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        request = privacy_services.close_account(user=user, requested_by=user)

    assert request.status == DataRequest.Status.DONE
    # An order awaiting payment: cancelled by the shop's own path.
    assert Order.objects.get(pk=unpaid.pk).status == Order.Status.CANCELLED
    # Open case: closed, with a last entry for staff; the booked call
    # cancelled.
    case.refresh_from_db()
    assert case.status == Case.Status.CLOSED
    last = case.events.get(kind="closed")
    assert not last.is_public
    call.refresh_from_db()
    assert call.state == "cancelled"
    # Store credit: forfeited, on the ledger.
    assert StoreCreditAccount.objects.get(user=user).balance == 0
    forfeit = StoreCreditEntry.objects.get(kind=StoreCreditEntry.Kind.FORFEITED)
    assert forfeit.amount == -1200
    # Lists: the one no gift came from deleted, the other closed; the old
    # share link is a 404 for everyone.
    assert not type(empty_list).objects.filter(pk=empty_list.pk).exists()
    assert Client().get(reverse("wishlist:shared", args=[token])).status_code == 404
    assert (
        giver_client(giver).get(reverse("wishlist:shared", args=[token])).status_code
        == 404
    )
    # A gift not yet packed: cancelled and refunded in full to its giver,
    # who is told it can't be delivered, and never why.
    waiting = Order.objects.get(pk=waiting_gift.order_id)
    assert waiting.status == Order.Status.CANCELLED
    assert sum(r.amount for r in waiting.refunds.all()) == waiting.total
    assert all(r.status == Refund.Status.SUCCEEDED for r in waiting.refunds.all())
    [told] = [m for m in mail.outbox if m.to == [giver.email]]
    text = email_text(told)
    assert "can't be delivered" in text and "refunded it in full" in text
    assert "closed" not in text.lower()
    # A gift on its way: left to arrive, its label intact.
    on_its_way = Order.objects.get(pk=shipped_gift.order_id)
    assert on_its_way.status == Order.Status.SHIPPED
    assert on_its_way.ship_to_line1 == STREET
    assert on_its_way.ship_to_display_name == ""
    # Addresses gone; the orders kept, stripped.
    assert not Address.objects.filter(user=user).exists()
    kept = Order.objects.get(pk=delivered.pk)
    assert (kept.ship_to_name, kept.ship_to_line1, kept.ship_to_city) == ("", "", "")
    assert kept.ship_to_postal_code == "" and not kept.ship_to_phone
    assert kept.ship_to_region == "JP-47" and kept.ship_to_country == "JP"
    assert kept.email == f"closed-{user.pk}@closed.invalid"


def giver_client(giver: User) -> Client:
    client = Client()
    client.force_login(giver)
    return client


def test_running_a_finished_closure_again_changes_nothing():
    user = customer()
    delivered_order(user)
    shop_services.issue_store_credit(user=user, amount=500, reason="x", actor=None)
    first = privacy_services.close_account(user=user, requested_by=user)
    before = books(user)

    again = closure.run_closure(request_id=first.pk)
    for _name, step in closure.STEPS:
        step(first, user)  # every step, by itself, once more

    assert again.pk == first.pk and again.status == DataRequest.Status.DONE
    assert books(user) == before
    assert StoreCreditEntry.objects.filter(kind="forfeited").count() == 1
    assert privacy_services.close_account(user=user, requested_by=user).pk == first.pk


def test_a_closure_cut_short_by_a_crash_finishes_on_retry(monkeypatch):
    user = customer()
    delivered = delivered_order(user)
    item = WishListItemFactory(wishlist__owner=user, wishlist__title=LIST_TITLE)
    give(item)
    steps = dict(closure.STEPS)
    real = steps["anonymise_orders"]

    def crash(request, actor):
        raise RuntimeError("the worker died")

    at = closure.STEP_NAMES.index("anonymise_orders")
    monkeypatch.setattr(closure, "STEPS", list(closure.STEPS))
    closure.STEPS[at] = ("anonymise_orders", crash)
    with pytest.raises(RuntimeError):
        privacy_services.close_account(user=user, requested_by=user)

    half = DataRequest.objects.get(user=user)
    assert half.status == DataRequest.Status.PENDING
    assert "close_wishlists" in half.steps_done
    assert "anonymise_orders" not in half.steps_done
    assert not User.objects.get(pk=user.pk).is_active  # signed out already
    assert Order.objects.get(pk=delivered.pk).ship_to_line1 == STREET

    closure.STEPS[at] = ("anonymise_orders", real)
    assert closure.pending_closures() == [half.pk]
    finish_pending_closures()

    half.refresh_from_db()
    assert half.status == DataRequest.Status.DONE
    assert half.steps_done == closure.STEP_NAMES
    assert Order.objects.get(pk=delivered.pk).ship_to_line1 == ""
    assert User.objects.get(pk=user.pk).display_name == ""


# --- Staff -------------------------------------------------------------------


def test_staff_close_an_account_on_a_written_request_with_a_reason(staff_client):
    user = customer()
    url = reverse("privacy_staff:close", args=[user.pk])
    page = staff_client.get(url).content.decode()
    assert "Close the account of" in page

    missing = staff_client.post(url, {"confirm": "on", "reason": "  "})
    assert missing.status_code == 200
    assert User.objects.get(pk=user.pk).is_active

    done = staff_client.post(
        url, {"confirm": "on", "reason": "Email of 3 May, case 12"}, follow=True
    )
    assert "The account is closed." in done.content.decode()
    request = DataRequest.objects.get(user=user)
    assert request.status == DataRequest.Status.DONE
    assert request.by_staff and request.requested_by.is_superuser
    assert request.reason == "Email of 3 May, case 12"
    # The audit trail on the page: who, when, why.
    assert "Email of 3 May, case 12" in done.content.decode()


@pytest.mark.django_db(transaction=True)
def test_staff_closing_an_account_clicked_twice_at_once_closes_it_once(staff_client):
    user = customer()
    url = reverse("privacy_staff:close", args=[user.pk])
    page = staff_client.get(url).content.decode()
    key = page.split('name="submission" value="')[1].split('"')[0]
    form = {"confirm": "on", "reason": "Letter of 3 May", "submission": key}

    responses = post_together(staff_client, url, form)

    assert assert_same_result(responses) == url
    request = DataRequest.objects.get(user=user)
    assert request.status == DataRequest.Status.DONE
    assert request.reason == "Letter of 3 May"
    assert not User.objects.get(pk=user.pk).is_active


def test_staff_find_the_customer_by_email(staff_client):
    user = customer()
    index = staff_client.get(reverse("admin:index")).content.decode()
    assert reverse("privacy_staff:find") in index
    response = staff_client.get(reverse("privacy_staff:find"), {"email": EMAIL})
    assert response["Location"] == reverse("privacy_staff:close", args=[user.pk])


def test_agents_may_not_close_accounts_unless_given_the_permission(client):
    user = customer()
    agent = UserFactory(is_staff=True, email="agent@hoshii.example")
    agent.groups.add(Group.objects.get(name=AGENT_GROUP))
    sign_in_staff(client, agent)
    url = reverse("privacy_staff:close", args=[user.pk])

    assert client.get(url).status_code == 403
    assert client.post(url, {"confirm": "on", "reason": "x"}).status_code == 403
    assert client.get(reverse("privacy_staff:find")).status_code == 403
    index = client.get(reverse("admin:index")).content.decode()
    assert reverse("privacy_staff:find") not in index
    assert User.objects.get(pk=user.pk).is_active

    agent.user_permissions.add(Permission.objects.get(codename="close_account"))
    assert client.get(url).status_code == 200


# --- Proof: nothing of the person is left to see -----------------------------


def test_after_closure_no_page_admin_list_search_or_email_shows_the_person(
    staff_client, django_capture_on_commit_callbacks
):
    user = customer(language="en")
    # Their own orders: one delivered (a case on it), one refunded in part.
    own = delivered_order(user)
    case = file_question(own.lines.get(), CASE_WORDS)
    support_services.post_customer_message(case=case, customer=user, body=CASE_WORDS)
    customer_asks_for_call(case)
    refunded = delivered_order(user)
    shop_services.refund_order_line(
        order_line=refunded.lines.get(),
        quantity=1,
        actor=None,
        reference="marker-refund",
        reason="damaged",
    )
    # A gift they gave, with their name, message and address disclosed.
    friend_list_item = WishListItemFactory()
    friend = friend_list_item.wishlist.owner
    given = give(
        friend_list_item,
        giver=user,
        message=GIFT_MESSAGE,
        discloses_address=True,
    )
    deliver(given.order)
    # A gift they received and thanked for, from another giver.
    item = WishListItemFactory(wishlist__owner=user, wishlist__title=LIST_TITLE)
    item.wishlist.address = marked_address(user)
    item.wishlist.save()
    other_giver = UserFactory(language="en")
    received = give(item, giver=other_giver)
    deliver(received.order)
    gift_services.send_thank_you(gift=received, recipient=user, note=THANKS)
    token = item.wishlist.share_token
    before = books(user)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        privacy_services.close_account(user=user, requested_by=user)

    # The books: every order, payment and refund kept, to the yen.
    assert books(user) == before
    for order in Order.objects.filter(buyer=user):
        assert order.total == order.subtotal + order.shipping_fee
    # Staff: order, case and user lists, their searches, and detail pages.
    agent = UserFactory(is_staff=True, email="agent2@hoshii.example")
    agent.groups.add(Group.objects.get(name=AGENT_GROUP))
    agent_client = Client()
    sign_in_staff(agent_client, agent)
    admin_pages = [
        reverse("admin:shop_order_changelist"),
        reverse("admin:shop_order_change", args=[own.pk]),
        reverse("admin:shop_order_change", args=[given.order_id]),
        reverse("admin:shop_order_change", args=[received.order_id]),
        reverse("admin:shop_user_changelist"),
        reverse("admin:shop_user_change", args=[user.pk]),
        reverse("admin:support_case_changelist"),
        reverse("admin:support_case_change", args=[case.pk]),
        reverse("admin:gifts_gift_changelist"),
        reverse("admin:shop_address_changelist"),
    ]
    searches = [
        reverse(name) + "?q=" + marker
        for name in (
            "admin:shop_order_changelist",
            "admin:shop_user_changelist",
            "admin:support_case_changelist",
        )
        for marker in (NAME, EMAIL, STREET, "zebulon")
    ]
    for who, client in (("staff", staff_client), ("agent", agent_client)):
        for url in admin_pages:
            response = client.get(url)
            assert response.status_code == 200, (who, url)
            assert_absent(response.content.decode(), f"{who} at {url}")
        # A search echoes what was searched for: it must find nothing.
        for url in searches:
            response = client.get(url)
            assert response.status_code == 200, (who, url)
            assert response.context["cl"].result_count == 0, (who, url)
    # The phone calls staff see: the number the customer was to be rung on.
    calls = staff_client.get(reverse("admin:callbacks_callbackrequest_changelist"))
    assert calls.context["cl"].result_count == 1
    assert_absent(calls.content.decode(), "the calls list")
    # The other party of each gift, another customer, and anyone.
    friend_client = giver_client(friend)
    for url in (
        reverse("gifts:received"),
        reverse("gifts:received_detail", args=[given.pk]),
    ):
        assert_absent(friend_client.get(url).content.decode(), f"friend at {url}")
    giver = giver_client(other_giver)
    for url in (reverse("gifts:sent"), received.order.get_absolute_url()):
        response = giver.get(url)
        assert response.status_code == 200, url
        assert_absent(response.content.decode(), f"giver at {url}")
    anyone = Client()
    assert anyone.get(reverse("wishlist:shared", args=[token])).status_code == 404
    search = anyone.get(reverse("wishlist:search"), {"name": NAME})
    assert not list(search.context["found"])  # the page echoes the name
    # Emails sent since.
    for message in mail.outbox:
        assert_absent(email_text(message), f"email {message.subject!r}")
    # And the person's own rows.
    user.refresh_from_db()
    assert_absent(f"{user.email} {user.display_name} {user.phone}", "user row")
    assert_absent(
        " ".join(
            f"{o.email} {o.ship_to_name} {o.ship_to_line1} {o.ship_to_phone}"
            for o in Order.objects.filter(buyer=user)
        ),
        "order rows",
    )


def test_a_call_already_ringing_holds_the_closure_until_it_ends():
    user = customer()
    case = file_question(delivered_order(user).lines.get(), CASE_WORDS)
    call = customer_asks_for_call(case)
    type(call).objects.filter(pk=call.pk).update(state="ringing")
    client = signed_in(user)

    response = confirm(client)

    # Signed out and told it is closed: it has begun, and will finish.
    assert response["Location"] == reverse("privacy:closed")
    held = DataRequest.objects.get(user=user)
    assert held.status == DataRequest.Status.PENDING
    assert "end_sign_in" in held.steps_done and "close_cases" not in held.steps_done
    assert not User.objects.get(pk=user.pk).is_active
    assert Case.objects.get(pk=case.pk).status in Case.OPEN_STATUSES

    finish_pending_closures()  # still ringing: it waits for the next sweep
    assert DataRequest.objects.get(pk=held.pk).status == DataRequest.Status.PENDING

    type(call).objects.filter(pk=call.pk).update(state="completed")
    finish_pending_closures()

    held.refresh_from_db()
    assert held.status == DataRequest.Status.DONE
    assert Case.objects.get(pk=case.pk).status == Case.Status.CLOSED
    assert type(call).objects.get(pk=call.pk).number == ""


def test_staff_accounts_are_not_closed_here(staff_client):
    colleague = UserFactory(is_staff=True)
    url = reverse("privacy_staff:close", args=[colleague.pk])
    assert staff_client.get(url).status_code == 404
    with pytest.raises(closure.ClosureRefused):
        privacy_services.close_account(user=colleague, requested_by=colleague)
    assert User.objects.get(pk=colleague.pk).is_active


def test_nothing_is_emailed_to_a_closed_account():
    user = customer()
    order = delivered_order(user)
    privacy_services.close_account(user=user, requested_by=user)
    mail.outbox.clear()

    # Say a parcel's email is sent again after the closure: to no one.
    shop_emails.send_shipment_notification(
        Order.objects.get(pk=order.pk).shipments.get()
    )

    assert mail.outbox == []
