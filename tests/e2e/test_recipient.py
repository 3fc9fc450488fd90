"""Journey 2: the couple thank the giver and ask for a call about a gift
they think came without its manual (mugs have none: an agent will look);
the call shows live on the case page. Then
the shopper reports the item missing from order 1001: re-shipped at once."""

import re
import time

import pytest
from playwright.sync_api import expect

from callbacks.models import CallbackRequest

from .support import assert_accessible

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PRICE = re.compile(r"[¥￥]\s?\d")


def wait_for_call(fake_twilio, seconds: float = 20.0) -> dict:
    """The call the worker places when "in 5 minutes" (here: 3 s) is due."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if fake_twilio.calls:
            return next(iter(fake_twilio.calls.values()))
        time.sleep(0.1)
    raise AssertionError("the scheduled call was never placed")


def test_the_couple_get_help_with_a_gift_and_a_call_back(journey, fake_twilio):
    page = journey.new_page()
    journey.sign_in(page, "couple@hoshii.test")
    page.get_by_role("link", name="Gifts received", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Gifts received")
    main = page.get_by_role("main")
    expect(main).to_contain_text("Hasami porcelain mug pair, 350 ml")
    expect(main).to_contain_text("From Haruto Sato")
    expect(main).to_contain_text("A surprise is on its way")
    assert not PRICE.search(main.inner_text())
    assert_accessible(page, "gifts received")
    journey.shot(page, "gifts-received")

    page.get_by_role("link", name="Hasami porcelain mug pair, 350 ml").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("A gift from Haruto Sato")
    assert not PRICE.search(main.inner_text())
    page.get_by_label("Your thank-you note").fill(
        "Thank you, Haruto! We use them every morning."
    )
    page.get_by_role("button", name="Send my thanks").click()
    expect(page.get_by_role("status")).to_have_text("Your note is on its way to them.")
    expect(main).to_contain_text("We use them every morning.")
    journey.shot(page, "thanked")

    page.get_by_role("link", name="Something wrong? Get help").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        re.compile(r"^Help with order \d+$")
    )
    mugs = page.get_by_role("radio", name="1 × Hasami porcelain mug pair")
    expect(mugs).to_be_checked()  # the gift's only item
    page.get_by_role("radio", name="Missing manual or warranty card").check()
    page.get_by_role("radio", name="Phone call in 5 minutes").check()
    expect(page.get_by_label("Number to call")).to_have_value(
        re.compile(r"090[- ]?8765[- ]?4321|\+819087654321")
    )
    assert_accessible(page, "get help")
    journey.shot(page, "get-help")
    page.get_by_role("button", name="Send", exact=True).click()

    # The case page: mugs come with no papers, so nothing is promised and an
    # agent will look (issue #16); the call is scheduled.
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Missing manual or warranty card"
    )
    expect(main).to_contain_text(
        "Hasami porcelain mug pair, 350 ml does not come with a printed manual or "
        "warranty card, so there is nothing we can post. An agent will look at this"
    )
    expect(main).not_to_contain_text("We are posting")
    call_state = page.locator("[data-call-label]")
    expect(call_state).to_have_text("Scheduled")
    expect(page.get_by_role("button", name="Cancel the call")).to_be_visible()
    assert_accessible(page, "the live call page")
    journey.shot(page, "call-scheduled")
    page.evaluate("window.stillTheSamePage = true")

    # "In 5 minutes" comes due; the worker dials the fake Twilio, which
    # then reports the call's progress with signed status callbacks.
    call = wait_for_call(fake_twilio)
    assert call["to"] == "+819087654321"
    expect(call_state).to_have_text("Calling")
    # Too late to switch or cancel: those buttons go.
    expect(page.get_by_role("button", name="Cancel the call")).to_be_hidden()
    assert fake_twilio.send_status(call["sid"], "initiated") == 204
    assert fake_twilio.send_status(call["sid"], "ringing") == 204
    expect(call_state).to_have_text("Ringing")
    journey.shot(page, "call-ringing")
    answered = {"AnsweredBy": "human"}
    assert fake_twilio.post_signed(
        call["url"], {"CallSid": call["sid"], "CallStatus": "in-progress", **answered}
    ) == 200  # fmt: skip
    assert fake_twilio.send_status(call["sid"], "in-progress", **answered) == 204
    expect(call_state).to_have_text("Connected")
    assert page.evaluate("window.stillTheSamePage") is True  # live, no reload
    journey.shot(page, "call-connected")
    callback = CallbackRequest.objects.get()
    assert callback.state == CallbackRequest.State.IN_PROGRESS
    waited = callback.dialing_started_at - callback.requested_at
    assert waited.total_seconds() >= 3  # "in 5 minutes", compressed, not sooner

    assert fake_twilio.send_status(call["sid"], "completed") == 204
    expect(call_state).to_have_text("Finished")
    expect(main).to_contain_text("Connected: an agent will be with you shortly.")


def test_the_shopper_gets_the_missing_item_reshipped_at_once(journey):
    page = journey.new_page()
    journey.sign_in(page, "shopper@hoshii.test")
    page.get_by_role("link", name="Orders", exact=True).click()
    page.get_by_role("link", name=re.compile(r"1001")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Order 1001")
    page.get_by_role("link", name="Get help with this order").click()

    page.get_by_role("radio", name="Yellow ink cartridge for PX-200 printer").check()
    page.get_by_role("radio", name="Item missing from the package").check()
    page.get_by_label("How many?").fill("1")
    page.get_by_role("button", name="Send", exact=True).click()

    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Item missing from the package"
    )
    expect(page.get_by_role("main")).to_contain_text(
        re.compile(
            r"A replacement of 1 × Yellow ink cartridge for PX-200 printer is on its "
            r"way, expected by .+\. No need to send anything back\."
        )
    )
    expect(page.locator(".status").first).to_have_text("Resolved")
    assert_accessible(page, "a case page")
    journey.shot(page, "reshipped")
