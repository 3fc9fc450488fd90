"""Journey: a customer takes their data and closes their account. They sign
in, download a copy of their data from their profile and open it, then
choose to close the account, confirm their password again, read
what will happen (their store credit forfeited, by the amount), tick that
they understand and close it; they are signed out, and signing in again
fails with the login's own clear message."""

import pytest
from playwright.sync_api import expect

from shop import services as shop_services
from tests.shop.factories import PASSWORD, UserFactory

from .support import assert_accessible, download_and_open_the_export

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

EMAIL = "leaving@hoshii.test"


def test_a_customer_downloads_their_data_then_closes_their_account(journey, tmp_path):
    user = UserFactory(email=EMAIL, display_name="Sora Leaving")
    shop_services.issue_store_credit(user=user, amount=1500, reason="gift", actor=None)
    page = journey.new_page()
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("status")).to_contain_text("You're logged in")

    page.goto("/accounts/profile/")
    page.get_by_role("link", name="Download my data").click()
    page.get_by_role("button", name="Prepare my data").click()
    data = download_and_open_the_export(journey, page, EMAIL, tmp_path)
    assert data["profile"]["display_name"] == "Sora Leaving"

    page.goto("/accounts/profile/")
    page.get_by_role("link", name="Close my account").click()
    # It asks for the password again first.
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm Access")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Confirm").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Close your account")
    expect(page.locator("main")).to_contain_text(
        "Your store credit of ¥1,500 will be forfeited"
    )
    assert_accessible(page, "the close account page")
    journey.shot(page, "close-account-confirm")
    # Not without the tick (the server says so too: tests/privacy).
    expect(page.get_by_label("I understand")).to_have_attribute("required", "")
    page.get_by_label("I understand").check()
    page.get_by_role("button", name="Close my account").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Your account is closed")
    assert_accessible(page, "the account closed page")
    journey.shot(page, "account-closed")

    page.goto("/accounts/profile/")
    expect(page).to_have_title("Log in · Hoshii")
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("#id_password_error")).to_contain_text(
        "password you specified are not correct"
    )
