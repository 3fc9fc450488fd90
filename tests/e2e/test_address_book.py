"""The shopper adds an address: the form shows the prefecture list for Japan
and a free region for other countries (static/js/address-form.js), and the
address book writes the new address in the page's order."""

import pytest
from playwright.sync_api import expect

from .support import assert_accessible

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_the_region_field_follows_the_country(journey):
    page = journey.new_page()
    journey.sign_in(page, "shopper@hoshii.test")
    page.goto("/accounts/addresses/new/")
    prefecture = page.get_by_label("Prefecture")
    region = page.get_by_label("State, province or region")
    country = page.get_by_label("Country")
    expect(prefecture).to_be_visible()
    expect(region).to_be_hidden()
    expect(page.get_by_label("Postal code")).to_have_attribute("inputmode", "numeric")
    assert_accessible(page, "new address")

    country.select_option("FR")
    expect(region).to_be_visible()
    expect(prefecture).to_be_hidden()
    expect(page.get_by_label("Postal code")).not_to_have_attribute(
        "inputmode", "numeric"
    )

    country.select_option("JP")
    page.get_by_label("Recipient name").fill("Haruto Sato")
    page.get_by_label("Postal code").fill("6048005")
    prefecture.select_option(label="Kyoto")
    page.get_by_label("City, ward, town").fill("京都市中京区")
    page.get_by_label("Address line 1").fill("河原町通 1-2-3")
    journey.shot(page, "new-address")
    page.get_by_role("button", name="Save address").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Address book")
    expect(page.get_by_role("main")).to_contain_text("京都市中京区, Kyoto 604-8005")
    journey.shot(page, "address-book")
