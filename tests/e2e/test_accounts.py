"""Journey: a customer signs up, mistypes, confirms their email and logs in
and out; an agent gives the second factor. Every page in the shop's design
and words, each error under its own field, accessible by axe-core."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from shop.demo import DEMO_PASSWORD
from support.demo import DEMO_TOTP_SECRET
from tests.shop.factories import totp_code

from .support import assert_accessible

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

NEW_PASSWORD = "persimmon-tea-kettle"


def test_a_customer_signs_up_confirms_and_logs_in_and_out(journey):
    page = journey.new_page()
    page.goto("/accounts/signup/")
    expect(page).to_have_title("Sign up · Hoshii")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign up")
    assert_accessible(page, "the sign-up page")

    page.get_by_label("Email").fill("mei@hoshii.test")
    page.get_by_label("Password:", exact=True).fill("123")
    page.get_by_label("Password (again)").fill("123")
    page.get_by_role("button", name="Sign up").click()
    password = page.get_by_label("Password:", exact=True)
    expect(password).to_have_attribute("aria-invalid", "true")
    error = page.locator("#id_password1_error")
    expect(error).to_contain_text("This password is too short")
    _assert_between(error, above=password, below=page.get_by_label("Password (again)"))
    assert_accessible(page, "the sign-up page with a password too short")
    journey.shot(page, "signup-error-under-password")

    page.get_by_label("Password:", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Password (again)").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Sign up").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")
    assert_accessible(page, "the verification sent page")

    (email,) = [m for m in mail.outbox if m.to == ["mei@hoshii.test"]]
    assert email.subject == "Welcome to Hoshii: confirm your email address"
    page.goto(re.search(r"https?://\S+/accounts/confirm-email/\S+/", email.body)[0])
    assert_accessible(page, "the confirm email page")
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("status")).to_contain_text("You're logged in")

    page.locator(".menu summary").click()
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("status")).to_contain_text("You're logged out.")

    page.goto("/accounts/login/")
    expect(page).to_have_title("Log in · Hoshii")
    page.get_by_label("Email").fill("mei@hoshii.test")
    page.get_by_label("Password").fill("not-my-password")
    page.get_by_role("button", name="Log in").click()
    password = page.get_by_label("Password")
    expect(password).to_have_attribute("aria-invalid", "true")
    error = page.locator("#id_password_error")
    expect(error).to_contain_text("password you specified are not correct")
    _assert_between(
        error, above=password, below=page.get_by_label("Stay logged in on this browser")
    )
    assert_accessible(page, "the login page with a wrong password")
    journey.shot(page, "login-error-under-password")

    page.get_by_label("Password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("status")).to_contain_text("You're logged in")

    # Setting up an authenticator app, from the account menu.
    page.locator(".menu summary").click()
    page.get_by_role("link", name="Two-Factor Authentication").click()
    assert_accessible(page, "the two-factor page")
    page.get_by_role("link", name="Activate").click()
    # It asks for the password again first.
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm Access")
    assert_accessible(page, "the confirm access page")
    page.get_by_label("Password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("img")).to_be_visible()  # the QR code
    assert_accessible(page, "the authenticator set-up page")
    journey.shot(page, "authenticator-set-up")


def test_an_agent_gives_the_code_on_a_page_with_no_empty_box(journey, settings):
    settings.MFA_TOTP_TOLERANCE = 1  # see test_agent: the 30 s period may turn
    page = journey.new_page()
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill("agent@hoshii.test")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_title("Log in · Hoshii")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Enter your authenticator code"
    )
    # One card: the code and its buttons; the cancel form is not drawn.
    expect(page.locator("main form:visible")).to_have_count(1)
    assert_accessible(page, "the authenticator code page")
    journey.shot(page, "authenticator-code")
    page.get_by_label("Code").fill(totp_code(DEMO_TOTP_SECRET))
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("status")).to_contain_text("You're logged in")

    # Their account pages, as staff reach them from the menu.
    for path, what in [
        ("/accounts/2fa/", "the two-factor page"),
        ("/accounts/2fa/recovery-codes/", "the recovery codes"),
        ("/accounts/email/", "the email addresses page"),
        ("/accounts/password/change/", "the change password page"),
    ]:
        page.goto(path)
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        assert_accessible(page, what)
        journey.shot(page, path.strip("/").replace("/", "-"))


def _assert_between(element, *, above, below) -> None:
    """``element`` is drawn under ``above`` and over ``below``."""
    box, top, bottom = (
        element.bounding_box(),
        above.bounding_box(),
        below.bounding_box(),
    )
    assert top["y"] + top["height"] <= box["y"], (top, box)
    assert box["y"] + box["height"] <= bottom["y"], (box, bottom)
