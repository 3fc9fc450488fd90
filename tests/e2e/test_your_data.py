"""Journey: a customer's own data. They ask for a copy from their account
page, the worker builds it, they open the link from the email, download the
ZIP and open the page inside it. (tests/e2e/test_close_account.py goes on
to close the account after the download.)"""

import pytest
from playwright.sync_api import expect

from .support import assert_accessible, download_and_open_the_export

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

CUSTOMER = "shopper@hoshii.test"


def test_a_customer_downloads_their_data_and_opens_it(journey, tmp_path):
    page = journey.new_page()
    journey.sign_in(page, CUSTOMER)
    page.goto("/accounts/profile/")
    page.get_by_role("link", name="Download my data").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your data")
    assert_accessible(page, "your data")
    page.get_by_role("button", name="Prepare my data").click()
    expect(page.get_by_text("We're preparing your data.")).to_be_visible()
    journey.shot(page, "preparing")

    # The worker builds it and emails the link; the ZIP opens on its own.
    data = download_and_open_the_export(journey, page, CUSTOMER, tmp_path)
    assert data["profile"]["display_name"] == "Haruto Sato"
    assert data["orders"], "the demo shopper's orders"

    # Back on the site, the page offers the file until it expires.
    page.goto("/account/data/")
    expect(page.get_by_role("link", name="Download my data")).to_be_visible()
    journey.shot(page, "ready")
