"""Journey: an agent keeps the desk home open; a customer answers our call
and waits; without a reload the desk counts them and a banner says so, and
the banner takes the agent to the phone queue."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from callbacks.models import CallbackRequest
from support import calls, desk
from support.models import Case

from .support import assert_accessible

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_the_desk_notices_a_waiting_caller_without_a_reload(journey, settings):
    settings.MFA_TOTP_TOLERANCE = 1  # see test_agent: the 30 s period may turn
    desk.POLL_EVERY_MS, every = 1000, desk.POLL_EVERY_MS
    try:
        _journey(journey)
    finally:
        desk.POLL_EVERY_MS = every


def _journey(journey):
    case = Case.objects.get(order_line__sku="ELE-002")  # the printer (support.demo)
    page = journey.new_page()
    journey.sign_in(page, "agent@hoshii.test", staff=True)
    page.goto("/admin/")
    banner = page.locator("[data-desk-banner]")
    expect(banner).to_be_hidden()
    page.get_by_role("link", name="Desk", exact=True).click()
    expect(page.get_by_role("heading", name="Desk")).to_be_visible()
    waiting = page.get_by_role("link", name=re.compile(r"Callers waiting now"))
    expect(waiting).to_contain_text("0")
    overdue = page.get_by_role("link", name=re.compile(r"\d+ Overdue cases"))
    expect(overdue).to_be_visible()
    assert_accessible(page, "the desk home")

    # The customer answers our call and hears "an agent will be with you".
    CallbackRequest.objects.create(
        subject=calls.subject_for(case),
        number=case.customer.phone or "+819012345678",
        script=calls.script_for(case, "en"),
        queue=calls.QUEUE,
        state=CallbackRequest.State.IN_PROGRESS,
        due_at=timezone.now() - datetime.timedelta(minutes=1),
        enqueued_at=timezone.now(),
    )
    expect(waiting).to_contain_text("1")
    expect(banner).to_be_visible()
    expect(banner).to_contain_text("1 caller is waiting for an agent.")
    expect(page).to_have_title(re.compile(r"^\(1\) "))
    assert_accessible(page, "the desk home with a caller waiting")
    journey.shot(page, "desk-home-caller-waiting")

    banner.get_by_role("link", name="Open the phone queue").click()
    expect(page.get_by_role("row").filter(has_text=f"#{case.pk}")).to_be_visible()
    expect(page.get_by_role("button", name="Connect me")).to_be_visible()
