"""Addresses: written in the reader's order, the prefecture chosen from the
47 and kept as its code, the browser's autofill hints, the country list, and
the migration that turned stored prefecture names into codes."""

import importlib
import re

import pytest
from django.apps import apps
from django.utils import translation

from shop import regions
from shop.addresses import PostalAddress, format_address, format_region, one_line
from shop.forms import AddressForm, ProfileForm
from shop.models import Address, Order

from .factories import AddressFactory, ProductFactory, UserFactory, placed_order
from .test_japanese import _compiled_messages  # noqa: F401  (the .mo for ja pages)

pytestmark = pytest.mark.django_db

JA = {"HTTP_ACCEPT_LANGUAGE": "ja"}
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}

SHIBUYA = PostalAddress(
    name="山田 花子",
    country="JP",
    postal_code="150-0041",
    region="JP-13",
    city="渋谷区神南",
    line1="1-2-3",
    line2="ほしいマンション101",
)
PARIS = PostalAddress(
    name="Marie Curie",
    country="FR",
    postal_code="75005",
    region="Île-de-France",
    city="Paris",
    line1="1 rue Pierre et Marie Curie",
)


@pytest.fixture(autouse=True)
def _english_afterwards():
    yield
    translation.deactivate()


# --- Layout ------------------------------------------------------------------


def test_a_japanese_address_on_a_japanese_page_reads_as_on_an_envelope():
    assert format_address(SHIBUYA, "ja") == [
        "〒150-0041",
        "東京都渋谷区神南1-2-3",
        "ほしいマンション101",
        "山田 花子 様",
    ]


def test_a_japanese_address_on_an_english_page_reads_in_western_order():
    assert format_address(SHIBUYA, "en") == [
        "山田 花子",
        "ほしいマンション101",
        "1-2-3",
        "渋谷区神南, Tokyo 150-0041",
        "Japan",
    ]


def test_a_japanese_address_typed_in_latin_letters_keeps_its_spaces():
    latin = PostalAddress(
        name="Hanako Yamada",
        country="JP",
        postal_code="150-0041",
        region="JP-13",
        city="Shibuya-ku Jinnan",
        line1="1-2-3",
    )
    assert format_address(latin, "ja")[1] == "東京都Shibuya-ku Jinnan 1-2-3"


@pytest.mark.parametrize(
    ("language", "country"), [("en", "France"), ("ja", "フランス")]
)
def test_other_countries_in_the_western_layout_in_either_language(language, country):
    assert format_address(PARIS, language) == [
        "Marie Curie",
        "1 rue Pierre et Marie Curie",
        "Paris, Île-de-France 75005",
        country,
    ]


def test_empty_parts_leave_no_empty_line():
    singapore = PostalAddress(
        name="Tan Wei", country="SG", postal_code="018956", line1="10 Bayfront Ave"
    )
    assert format_address(singapore, "en") == [
        "Tan Wei",
        "10 Bayfront Ave",
        "018956",
        "Singapore",
    ]


def test_the_active_language_is_the_default():
    with translation.override("ja"):
        assert format_address(SHIBUYA)[0] == "〒150-0041"
        assert one_line(SHIBUYA).startswith("〒150-0041 東京都渋谷区神南1-2-3")
    with translation.override("en"):
        assert format_address(SHIBUYA)[0] == "山田 花子"


def test_only_the_region_for_a_hidden_destination():
    hidden = PostalAddress(name="Aiko & Ren", country="JP", region="JP-26")
    assert format_region(hidden, "ja") == "京都府"
    assert format_region(hidden, "en") == "Kyoto, Japan"
    assert format_region(PARIS, "ja") == "フランス Île-de-France"


def test_a_prefecture_stored_by_name_before_the_codes_still_reads_right():
    legacy = PostalAddress(name="X", country="JP", region="沖縄県")
    assert format_region(legacy, "en") == "Okinawa, Japan"
    unknown = PostalAddress(name="X", country="JP", region="Atlantis")
    assert format_region(unknown, "en") == "Atlantis, Japan"  # kept as typed


def test_pages_print_the_layout_of_their_language(client):
    user = UserFactory(language="ja")
    AddressFactory(
        user=user, region="JP-13", city="渋谷区神南", line1="1-2-3", line2=""
    )
    client.force_login(user)
    ja = client.get("/accounts/addresses/", **JA).content.decode()
    assert "〒150-0041<br>東京都渋谷区神南1-2-3<br>" in ja

    user.language = "en"
    user.save()
    client.cookies["django_language"] = "en"
    en = client.get("/accounts/addresses/", **EN).content.decode()
    assert "1-2-3<br>渋谷区神南, Tokyo 150-0041<br>Japan" in en
    assert "JP-13" not in en


def test_the_order_email_and_packing_slip_share_the_layout(
    django_capture_on_commit_callbacks,
):
    from django.core import mail

    buyer = UserFactory(language="ja")
    with django_capture_on_commit_callbacks(execute=True):
        order = placed_order(buyer, (ProductFactory(), 1))
    lines = format_address(order.ship_to, "ja")
    assert "\n".join(lines) in mail.outbox[-1].body


def test_checkout_offers_each_address_written_out(client):
    user = UserFactory(language="en")
    AddressFactory(user=user, recipient_name="Aiko", region="JP-27", city="大阪市")
    client.force_login(user)
    client.cookies["django_language"] = "en"
    from shop.services import add_to_cart, create_cart

    add_to_cart(
        cart=create_cart(owner=user), product_id=ProductFactory().pk, quantity=1
    )
    page = client.get("/checkout/", **EN).content.decode()
    assert "Aiko, " in page
    assert "大阪市, Osaka 150-0041, Japan" in page


# --- Prefecture and postal code ---------------------------------------------


def _form(**overrides) -> AddressForm:
    data = {
        "recipient_name": "山田 花子",
        "country": "JP",
        "postal_code": "1500001",
        "prefecture": "JP-13",
        "region": "",
        "city": "渋谷区神宮前",
        "line1": "1-2-3",
        **overrides,
    }
    return AddressForm(data, instance=Address(user=UserFactory()))


def test_the_prefecture_is_a_list_of_the_47_in_the_readers_language():
    with translation.override("ja"):
        choices = AddressForm().fields["prefecture"].choices
    assert len(choices) == 48  # and "choose a prefecture"
    assert choices[1] == ("JP-01", "北海道")
    assert choices[13] == ("JP-13", "東京都")
    assert choices[47] == ("JP-47", "沖縄県")
    with translation.override("en"):
        html = str(AddressForm()["prefecture"])
    assert '<option value="JP-13">Tokyo</option>' in html
    assert html.count("<option") == 48


def test_a_japanese_address_is_saved_with_its_code_and_normalised_postal_code():
    form = _form()
    assert form.is_valid(), form.errors
    address = form.save()
    assert (address.region, address.postal_code) == ("JP-13", "150-0001")


@pytest.mark.parametrize(
    "typed", ["〒１５０－０００１", "150-0001", "1500001", " 150-0001 "]
)
def test_japanese_postal_codes_are_normalised(typed):
    assert regions.normalize_jp_postal_code(typed) == "150-0001"


@pytest.mark.parametrize("bad", ["15-0001", "150-00011", "ABC-DEFG", "〒"])
def test_a_bad_japanese_postal_code_is_a_form_error(bad):
    form = _form(postal_code=bad)
    assert not form.is_valid()
    assert "postal code like 150-0041" in form.errors["postal_code"][0]


@pytest.mark.parametrize("prefecture", ["", "JP-00", "JP-48", "Tokyo"])
def test_a_japanese_address_needs_one_of_the_47(prefecture):
    form = _form(prefecture=prefecture)
    assert not form.is_valid()
    assert list(form.errors) == ["prefecture"]


def test_without_javascript_a_prefecture_typed_in_the_region_field_is_taken():
    form = _form(prefecture="", region="kyoto")
    assert form.is_valid(), form.errors
    assert form.save().region == "JP-26"


def test_other_countries_keep_a_free_region_which_may_be_empty():
    form = _form(country="FR", postal_code="75005", prefecture="", region="")
    assert form.is_valid(), form.errors
    assert form.save().region == ""
    form = _form(country="US", postal_code="94103", prefecture="JP-13", region="CA")
    assert form.is_valid(), form.errors
    assert form.save().region == "CA"  # the list is for Japan only


def test_editing_shows_the_stored_prefecture_selected():
    address = AddressFactory(region="JP-47")
    form = AddressForm(instance=address)
    assert form["prefecture"].value() == "JP-47"
    assert form["region"].value() == ""
    # A value from before the list, that names no prefecture, is shown to fix.
    old = AddressFactory(region="Atlantis")
    form = AddressForm(instance=old)
    assert (form["prefecture"].value(), form["region"].value()) == ("", "Atlantis")


def test_the_address_form_page_works_and_loads_its_script_from_a_file(client):
    user = UserFactory()
    client.force_login(user)
    page = client.get("/accounts/addresses/new/").content.decode()
    assert 'src="/static/js/address-form.js"' in page
    assert "<script>" not in page  # no inline script: the CSP forbids them
    response = client.post(
        "/accounts/addresses/new/",
        {
            "recipient_name": "A",
            "country": "JP",
            "postal_code": "1500001",
            "prefecture": "",
            "region": "",
            "city": "渋谷区",
            "line1": "1",
        },
    )
    assert response.status_code == 200
    assert "Choose one of Japan&#x27;s 47 prefectures." in response.content.decode()


# --- Autofill ----------------------------------------------------------------


def _attributes(html: str) -> dict[str, str]:
    return dict(re.findall(r'(\w[\w-]*)="([^"]*)"', html))


def test_every_address_field_has_its_autocomplete_token():
    form = AddressForm()
    expected = {
        "recipient_name": "shipping name",
        "country": "shipping country",
        "postal_code": "shipping postal-code",
        "prefecture": "shipping address-level1",
        "region": "shipping address-level1",
        "city": "shipping address-level2",
        "line1": "shipping address-line1",
        "line2": "shipping address-line2",
        "phone": "shipping tel",
    }
    for name, token in expected.items():
        assert _attributes(str(form[name]))["autocomplete"] == token, name
    assert _attributes(str(form["phone"]))["type"] == "tel"


def test_profile_fields_have_their_autocomplete_tokens():
    profile = ProfileForm()
    phone = _attributes(str(profile["phone"]))
    assert (phone["type"], phone["autocomplete"]) == ("tel", "tel")
    assert _attributes(str(profile["display_name"]))["autocomplete"] == "nickname"


# --- Countries ---------------------------------------------------------------


@pytest.mark.parametrize("language", ["en", "ja"])
def test_the_country_list_has_only_countries(language):
    choices = regions.country_choices(language)
    codes = {code for code, _name in choices}
    assert not codes & {"XA", "XB", "ZZ", "QO", "EU", "EZ", "UN", "001"}
    names = " ".join(name for _code, name in choices)
    for pseudo in ("Pseudo", "Unknown", "world", "World", "不明", "疑似"):
        assert pseudo not in names
    assert {"JP", "FR", "US", "KR", "SG", "XK"} <= codes
    assert len(codes) == len(choices) == 250  # ISO 3166-1's 249, and Kosovo


def test_the_country_list_is_sorted_in_the_readers_language_japan_first():
    english = regions.country_choices("en")
    assert english[0] == ("JP", "Japan")
    names = [name for _code, name in english[1:]]
    assert names.index("Åland Islands") < names.index("Albania")
    assert names.index("Zimbabwe") == len(names) - 1
    japanese = regions.country_choices("ja")
    assert japanese[0] == ("JP", "日本")
    assert japanese[1][1].startswith("ア")
    with translation.override("ja"):
        html = str(AddressForm()["country"])
    assert '<option value="FR">フランス</option>' in html
    assert "Pseudo" not in html


# --- The migration to codes --------------------------------------------------


def test_the_migration_turns_stored_prefecture_names_into_codes():
    migration = importlib.import_module("shop.migrations.0017_prefectures_as_codes")
    stored = {
        "東京都": "JP-13",
        "Osaka": "JP-27",
        "kyoto-fu": "JP-26",
        "北海道": "JP-01",
        "沖縄": "JP-47",
        "Hyōgo": "JP-28",
        "Atlantis": "Atlantis",  # names no prefecture: kept as written
    }
    addresses = {
        value: AddressFactory(region=value) for value in stored
    }  # created without clean(), as rows from before the codes were
    french = AddressFactory(country="FR", region="Île-de-France", postal_code="1")
    order = placed_order(UserFactory(), (ProductFactory(), 1))
    Order.objects.filter(pk=order.pk).update(ship_to_region="Kanagawa")

    migration.prefectures_to_codes(apps, None)

    for value, address in addresses.items():
        address.refresh_from_db()
        assert address.region == stored[value], value
    french.refresh_from_db()
    assert french.region == "Île-de-France"
    order.refresh_from_db()
    assert order.ship_to_region == "JP-14"

    migration.codes_to_prefectures(apps, None)
    addresses["Osaka"].refresh_from_db()
    assert addresses["Osaka"].region == "大阪府"
    addresses["Atlantis"].refresh_from_db()
    assert addresses["Atlantis"].region == "Atlantis"
