"""Support's phone calls: asked for from Get help, followed on the case."""

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from twilio.request_validator import RequestValidator

from callbacks import services as callback_services
from callbacks.dialers import LocmemDialer
from callbacks.models import CallbackRequest
from core import submissions
from shop import services as shop_services
from shop.models import Shipment
from support import calls
from support.models import Case, CaseEvent
from tests.shop.factories import (
    ProductFactory,
    UserFactory,
    placed_order,
    sign_in_staff,
)
from tests.support.factories import CaseFactory, help_form

pytestmark = pytest.mark.django_db
State = CallbackRequest.State


@pytest.fixture
def order(client):
    placed = placed_order(
        UserFactory(phone="+819012345678"),
        (
            ProductFactory(
                name="yellow ink cartridge",
                name_ja="黄色インク",
                stock_on_hand=9,
                documents="both",
            ),
            2,
        ),
    )
    shipment = shop_services.create_shipment_for_remaining(order=placed, actor=None)
    shop_services.mark_shipped(shipment=shipment, actor=None)
    client.force_login(placed.buyer)
    return placed


def file_with_call(client, order, contact="call_now", phone="090-1234-5678", **headers):
    return client.post(
        reverse("support:get_help", args=[order.pk]),
        help_form(order, contact=contact, phone=phone),
        **headers,
    )


def test_call_me_now_rings_with_the_case_in_the_greeting(
    client, order, django_capture_on_commit_callbacks
):
    page = client.get(reverse("support:get_help", args=[order.pk]))
    assert page.context["form"]["phone"].value() == order.buyer.phone
    with django_capture_on_commit_callbacks(execute=True):
        response = file_with_call(client, order)
    case = Case.objects.get()
    assert response["Location"] == case.get_absolute_url()
    callback = CallbackRequest.objects.get()
    assert (callback.subject, str(callback.number)) == (
        f"support.case:{case.pk}",
        "+819012345678",
    )
    assert "yellow ink cartridge missing from order " + order.number in callback.script
    assert len(LocmemDialer.calls) == 1
    public = case.events.filter(kind=CaseEvent.Kind.CALL, is_public=True)
    assert "Calling you now." in [e.body for e in public]
    status = client.get(reverse("support:call_status", args=[case.pk])).json()
    assert (status["state"], status["active"]) == ("dialing", True)


def test_the_greeting_speaks_japanese_to_a_japanese_customer(
    client, order, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        file_with_call(client, order, HTTP_ACCEPT_LANGUAGE="ja")
    callback = CallbackRequest.objects.get()
    assert callback.language == "ja"
    assert f"ご注文番号 {order.number} の黄色インクが届いていない件" in callback.script


def test_in_five_minutes_can_be_switched_or_cancelled(
    client, order, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        file_with_call(client, order, contact="call_later")
    case = Case.objects.get()
    callback = CallbackRequest.objects.get()
    assert callback.state == State.SCHEDULED
    assert (callback.due_at - timezone.now()).total_seconds() > 250
    page = client.get(case.get_absolute_url()).content.decode()
    assert "Call me now instead" in page and "Cancel the call" in page

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("support:call", args=[case.pk]),
            {"when": "now", "phone": "090-1234-5678"},
        )
    assert CallbackRequest.objects.count() == 1
    assert len(LocmemDialer.calls) == 1  # switched to now: rings once

    response = client.post(reverse("support:cancel_call", args=[case.pk]), follow=True)
    assert "already started" in response.content.decode()


def test_cancel_before_it_rings(client, order, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        file_with_call(client, order, contact="call_later")
        client.post(reverse("support:cancel_call", args=[Case.objects.get().pk]))
    assert CallbackRequest.objects.get().state == State.CANCELLED
    assert LocmemDialer.calls == []


def test_a_failed_call_is_on_the_case_and_emailed(
    client, order, settings, django_capture_on_commit_callbacks
):
    settings.CALLBACKS_MAX_ATTEMPTS = 1
    with django_capture_on_commit_callbacks(execute=True):
        file_with_call(client, order)
    callback = CallbackRequest.objects.get()
    url = reverse("callbacks:status", args=[callback.reference])
    params = {"CallSid": callback.call_sid, "CallStatus": "no-answer"}
    signature = RequestValidator("test-auth-token").compute_signature(
        "http://testserver" + url, params
    )
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, params, HTTP_X_TWILIO_SIGNATURE=signature)
    assert CallbackRequest.objects.get().state == State.FAILED
    assert mail.outbox[-1].subject == "We tried to call you"
    page = client.get(Case.objects.get().get_absolute_url()).content.decode()
    assert "couldn&#x27;t reach you" in page or "couldn't reach you" in page


def test_a_number_abroad_is_refused_but_the_case_is_kept(
    client, order, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = file_with_call(client, order, phone="+1 202 555 0123")
    assert Case.objects.count() == 1
    assert not CallbackRequest.objects.exists()
    page = client.get(response["Location"]).content.decode()
    assert "couldn&#x27;t arrange the call" in page or "couldn't arrange" in page


def test_someone_elses_call_endpoints_are_404(client, order):
    case = CaseFactory()  # on someone else's order
    assert client.get(reverse("support:call_status", args=[case.pk])).status_code == 404
    assert (
        client.post(
            reverse("support:call", args=[case.pk]),
            {"when": "now", "phone": "09012345678"},
        ).status_code
        == 404
    )
    assert (
        client.post(reverse("support:cancel_call", args=[case.pk])).status_code == 404
    )
    assert not CallbackRequest.objects.exists()


def test_agents_see_the_queue_and_connect_to_the_longest_waiter(
    client, order, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        file_with_call(client, order)
    callback = CallbackRequest.objects.get()
    callback_services.record_status(
        reference=callback.reference, call_sid=callback.call_sid, status="in-progress"
    )
    callback_services.mark_enqueued(reference=callback.reference)
    case = Case.objects.get()

    agent = UserFactory(is_staff=True, is_superuser=True, phone="+819099998888")
    client = Client()
    sign_in_staff(client, agent)
    queue_url = reverse("admin:support_case_phone_queue")
    page = client.get(queue_url).content.decode()
    assert f"#{case.pk}" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(queue_url, {"submission": "connect-me-once-0001"})
    assert response["Location"] == reverse("admin:support_case_change", args=[case.pk])
    agent_leg = LocmemDialer.calls[-1]
    assert agent_leg["to"] == "+819099998888"
    assert agent_leg["connect_url"].endswith(f"/callbacks/agent/{callback.reference}/")
    callback.refresh_from_db()
    assert (callback.claimed_by, callback.agent_call_sid) == (agent, agent_leg["sid"])
    taken = case.events.get(kind=CaseEvent.Kind.CALL, actor=agent)
    assert not taken.is_public
    assert taken.body.startswith(f"{agent} took the call")
    # The queue shows who took the caller; nobody else is left to take.
    assert str(agent) in client.get(queue_url).content.decode()
    response = client.post(queue_url, {"submission": "connect-me-once-0002"})
    assert response["Location"] == queue_url
    assert "Nobody is waiting." in client.get(queue_url).content.decode()
    assert len([c for c in LocmemDialer.calls if "connect_url" in c]) == 1


def test_outside_hours_now_is_not_offered_and_later_means_the_opening(
    client, order, settings, django_capture_on_commit_callbacks
):
    settings.CALLBACKS_HOURS = "09:00-10:00"
    settings.CALLBACKS_DAYS = [
        ((timezone.localdate().isoweekday()) % 7) + 1
    ]  # tomorrow
    page = client.get(reverse("support:get_help", args=[order.pk]))
    choices = [c[0] for c in page.context["form"].fields["contact"].choices]
    assert choices == ["message", "call_later"]
    with django_capture_on_commit_callbacks(execute=True):
        file_with_call(client, order, contact="call_later")
    callback = CallbackRequest.objects.get()
    due = timezone.localtime(callback.due_at)
    assert (due.hour, due.minute) == (9, 0)
    assert due.date() > timezone.localdate()
    assert LocmemDialer.calls == []


def test_a_navi_dial_number_is_refused_with_the_reason(
    client, order, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = file_with_call(client, order, phone="0570-012-345")
    assert Case.objects.count() == 1
    assert not CallbackRequest.objects.exists()
    page = client.get(response["Location"]).content.decode()
    assert "We can only call a mobile or landline number." in page
    assert LocmemDialer.calls == []


# --- Exactly once, and never "sorted" while a call is booked ----------------


def test_get_help_sent_again_after_its_case_was_resolved_files_nothing_new(
    client, order
):
    """Item 3: the missing papers go out and would resolve the case at once,
    so the open-case index no longer sees it; the submission key does."""
    form = help_form(
        order, problem="missing_documents", submission=submissions.new_key()
    )
    url = reverse("support:get_help", args=[order.pk])
    first = client.post(url, form)
    case = Case.objects.get()
    assert case.status == Case.Status.RESOLVED
    again = client.post(url, form)
    assert again["Location"] == first["Location"] == case.get_absolute_url()
    assert Case.objects.count() == 1
    assert order.shipments.filter(reason=Shipment.Reason.DOCUMENTS).count() == 1
    assert not CallbackRequest.objects.exists()


def test_papers_sent_at_once_with_call_me_now_keep_the_call_and_the_case_open(
    client, order, django_capture_on_commit_callbacks
):
    """Item 6: the customer asked to talk to someone. The papers go out at
    once and the call is kept; the case waits for the agent on the call
    instead of saying "This is sorted" while the phone is about to ring."""
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("support:get_help", args=[order.pk]),
            help_form(
                order,
                problem="missing_documents",
                contact="call_later",
                phone="090-1234-5678",
                submission=submissions.new_key(),
            ),
        )
    case = Case.objects.get()
    assert response["Location"] == case.get_absolute_url()
    assert order.shipments.filter(reason=Shipment.Reason.DOCUMENTS).count() == 1
    assert CallbackRequest.objects.get().state == State.SCHEDULED
    assert case.status == Case.Status.WAITING_FOR_AGENT
    page = client.get(case.get_absolute_url()).content.decode()
    assert "This is sorted" not in page
    assert "printed manual and warranty card" in page


def test_asking_for_a_call_on_a_resolved_case_opens_it_again(
    client, order, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        file_with_call(client, order, contact="message")
    case = Case.objects.get()
    assert case.status == Case.Status.RESOLVED  # the missing unit was reshipped
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("support:call", args=[case.pk]),
            {"when": "later", "phone": "090-1234-5678"},
        )
    case.refresh_from_db()
    assert case.status == Case.Status.WAITING_FOR_AGENT
    assert CallbackRequest.objects.get().state == State.SCHEDULED


def test_cancelling_when_no_call_is_booked_says_so(client, order):
    file_with_call(client, order, contact="message")
    response = client.post(
        reverse("support:cancel_call", args=[Case.objects.get().pk]), follow=True
    )
    assert "No call is booked." in response.content.decode()


def test_a_calls_subject_names_its_case_and_is_read_back_the_same_way():
    case = CaseFactory()
    subject = calls.subject_for(case)
    assert subject == f"support.case:{case.pk}"
    assert calls.case_id_from(subject) == case.pk
    # Another app's call, or anything malformed, names no case.
    for other in ["delivery.driver:7", "support.case:", "support.case:7x", ""]:
        assert calls.case_id_from(other) is None
