"""Journey: a customer's own data. They ask for a copy from their account
page, the worker builds it, they open the link from the email, download the
ZIP and open the page inside it."""

import json
import re
import zipfile

import pytest
from django.core import mail
from playwright.sync_api import expect

from tests.workers import wait_for

from .support import assert_accessible

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

CUSTOMER = "shopper@hoshii.test"


def _data_emails() -> list:
    return [
        m
        for m in mail.outbox
        if m.to == [CUSTOMER] and m.subject == "Your data is ready to download"
    ]


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

    # The worker builds it and emails the link.
    assert wait_for(lambda: _data_emails())
    (email,) = _data_emails()
    link = re.search(r"https?://\S+/account/data/\d+/download/", email.body)[0]

    with page.expect_download() as downloading:
        page.evaluate("url => { window.location.href = url }", link)
    download = downloading.value
    name = download.suggested_filename
    assert re.fullmatch(r"hoshii-data-\d{4}-\d{2}-\d{2}\.zip", name)
    archive = zipfile.ZipFile(download.path())
    assert sorted(archive.namelist()) == ["data.json", "index.html"]
    data = json.loads(archive.read("data.json"))
    assert data["profile"]["email"] == CUSTOMER
    assert data["profile"]["display_name"] == "Haruto Sato"
    assert data["orders"], "the demo shopper's orders"

    # The page in the ZIP opens on its own, offline.
    (tmp_path / "index.html").write_bytes(archive.read("index.html"))
    opened = journey.new_page()
    opened.goto((tmp_path / "index.html").as_uri())
    expect(opened.get_by_role("heading", level=1)).to_have_text("Your data at Hoshii")
    expect(opened.get_by_role("heading", name="Orders")).to_be_visible()
    expect(opened.get_by_text("Haruto Sato").first).to_be_visible()
    journey.shot(opened, "the-export")

    # Back on the site, the page offers the file until it expires.
    page.goto("/account/data/")
    expect(page.get_by_role("link", name="Download my data")).to_be_visible()
    journey.shot(page, "ready")
