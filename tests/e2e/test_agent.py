"""Journey 3: a support agent works an overdue case in the admin — assign,
reply, store credit, a canned reply sent with "Send and resolve" — solves a
second case in two clicks from the list, and the customer sees it all."""

import re

import pytest
from playwright.sync_api import expect

from support.models import Case

from .support import assert_accessible

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

REPLY = (
    "Sorry about the printer! Please try the head cleaning in the manual; "
    "if it still prints nothing, reply here and we'll send a new one."
)


def test_an_agent_works_an_overdue_case_and_the_customer_sees_it(journey, settings):
    # The code is read from the clock like an authenticator app's: accept
    # the previous one too, in case the 30 s period turns while it is typed.
    settings.MFA_TOTP_TOLERANCE = 1
    case = Case.objects.get(order_line__sku="ELE-002")  # the printer (support.demo)
    page = journey.new_page()
    journey.sign_in(page, "agent@hoshii.test", staff=True)
    page.goto("/admin/")
    # The desk home: its counts, the SLA breaches among them.
    page.get_by_role("link", name="Desk", exact=True).click()
    expect(page.get_by_role("heading", name="Desk")).to_be_visible()
    expect(
        page.get_by_role("link", name=re.compile(r"^[1-9]\d* First response breached$"))
    ).to_be_visible()
    expect(
        page.get_by_role("link", name=re.compile(r"^\d+ Resolution breached$"))
    ).to_be_visible()
    assert_accessible(page, "the desk home")
    page.get_by_role("link", name="Cases", exact=True).click()
    expect(page.get_by_role("heading", name="Support cases")).to_be_visible()
    assert_accessible(page, "the case list")
    journey.shot(page, "case-list")
    page.get_by_role("link", name=re.compile(r"^\d+ overdue$")).click()
    row = page.get_by_role("row").filter(has_text="PX-200 compact inkjet printer")
    expect(row).to_contain_text("Haruto Sato")
    expect(row).to_contain_text("Defective")
    journey.shot(page, "overdue-queue")
    # The case column links the case by its number and problem.
    row.get_by_role("link", name=re.compile(rf"^#{case.pk} Defective")).click()

    # Everything about the case on one page: nothing to ask the customer.
    content = page.locator("#content")
    expect(content).to_contain_text("It feeds the paper but prints nothing")
    expect(content).to_contain_text("shopper@hoshii.test")
    expect(content).to_contain_text("Verified by login: no identity questions needed.")
    expect(content).to_contain_text(f"Order {case.order.number}")
    expect(content).to_contain_text("HP-2026-000123")  # the item's parcel
    assert_accessible(page, "the case page")
    journey.shot(page, "case")

    page.get_by_role("button", name="Assign to me").click()
    expect(page.get_by_text("Assigned to Mika (support).")).to_be_visible()
    expect(content).to_contain_text("Agent: Mika (support)")
    page.get_by_label("Reply to the customer (emailed)").fill(REPLY)
    page.get_by_role("button", name="Send reply").click()
    expect(page.get_by_text("Reply sent.")).to_be_visible()
    page.get_by_label("Issue store credit").fill("2000")
    page.get_by_placeholder("reason").fill("Sorry for the trouble")
    page.get_by_role("button", name="Issue credit").click()
    # Money moves only after the agent has read what will happen.
    expect(content).to_contain_text("Add ¥2,000 to the store credit of")
    expect(content).to_contain_text("Reason: Sorry for the trouble")
    journey.shot(page, "confirm-credit")
    page.get_by_role("button", name="Yes, I’m sure").click()
    expect(content).to_contain_text("¥2,000 was added to your store credit.")
    # A canned reply, filled in for this case by one click, then sent and
    # the case resolved by one more (support.macros, static/js/macros.js).
    reply_box = page.get_by_label("Reply to the customer (emailed)")
    page.get_by_role("button", name="All sorted", exact=True).click()
    sorted_reply = (
        "Hi Haruto Sato, thanks for your patience with your PX-200 compact "
        f"inkjet printer (order {case.order.number}). We're marking this as "
        "sorted; reply here any time if something still isn't right."
    )
    expect(reply_box).to_have_value(sorted_reply)
    page.get_by_role("button", name="Send and resolve").click()
    expect(content.locator(".case-desk strong").first).to_have_text("Resolved")
    expect(content).to_contain_text(sorted_reply)
    journey.shot(page, "case-resolved")
    case.refresh_from_db()
    assert (case.status, case.assigned_to.email) == ("resolved", "agent@hoshii.test")

    # From the case list to a solved case in two clicks: open it, then
    # "Send and resolve" (the macro only fills the box).
    question = Case.objects.get(description__startswith="How should I care")
    page.get_by_role("link", name="Cases", exact=True).first.click()
    page.get_by_role("link", name=re.compile(rf"^#{question.pk} ")).click()  # 1
    page.get_by_role("button", name="All sorted", exact=True).click()
    page.get_by_role("button", name="Send and resolve").click()  # 2
    expect(content.locator(".case-desk strong").first).to_have_text("Resolved")
    question.refresh_from_db()
    assert question.status == "resolved"

    # The customer, in a browser of their own.
    customer = journey.new_page()
    journey.sign_in(customer, "shopper@hoshii.test")
    customer.get_by_role("link", name="Help", exact=True).click()
    customer.get_by_role("link", name="Defective").click()
    main = customer.get_by_role("main")
    expect(customer.get_by_role("heading", level=1)).to_have_text("Defective")
    expect(main).to_contain_text("Resolved")
    expect(main).to_contain_text(REPLY)
    expect(main).to_contain_text("¥2,000 was added to your store credit.")
    expect(main).to_contain_text(sorted_reply)
    assert_accessible(customer, "the customer's case page")
    journey.shot(customer, "customer-sees-reply")
