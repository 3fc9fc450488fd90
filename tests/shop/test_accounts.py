"""Sign-up, log-in, verification, password reset, profile and address book."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse

from shop import regions
from shop.models import Address, User

from .factories import PASSWORD, AddressFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_signup_requires_email_verification_before_login(client):
    response = client.post(
        reverse("account_signup"),
        {"email": "new@example.com", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    user = User.objects.get(email="new@example.com")
    assert not EmailAddress.objects.get(user=user).verified
    # Not logged in until the link is followed.
    assert client.get(reverse("shop:profile")).status_code == 302

    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", mail.outbox[0].body)
    client.post(link[0].split("testserver", 1)[-1])
    assert EmailAddress.objects.get(user=user).verified
    assert client.get(reverse("shop:profile")).status_code == 200


def test_signup_with_a_taken_email_reveals_nothing_and_creates_nothing(client):
    # allauth's enumeration protection: the page looks like any sign-up, and
    # the address's owner is told by email that someone tried.
    UserFactory(email="taken@example.com")
    response = client.post(
        reverse("account_signup"),
        {"email": "taken@example.com", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert response["Location"] == reverse("account_email_verification_sent")
    assert User.objects.filter(email="taken@example.com").count() == 1
    assert mail.outbox[0].to == ["taken@example.com"]


def test_login_and_logout(client):
    user = UserFactory()
    response = client.post(
        reverse("account_login"), {"login": user.email, "password": PASSWORD}
    )
    assert response.status_code == 302
    assert client.get(reverse("shop:profile")).status_code == 200
    client.post(reverse("account_logout"))
    assert client.get(reverse("shop:profile")).status_code == 302


def test_failed_logins_are_rate_limited(client, settings):
    settings.ACCOUNT_RATE_LIMITS = {"login_failed": "10/m/ip,3/5m/key"}
    user = UserFactory()
    for _ in range(3):
        response = client.post(
            reverse("account_login"), {"login": user.email, "password": "wrong"}
        )
        assert response.status_code == 200
    # Even the right password is refused while the limit holds.
    response = client.post(
        reverse("account_login"), {"login": user.email, "password": PASSWORD}
    )
    assert response.status_code in (200, 429)
    assert "Too many" in response.content.decode()
    assert client.get(reverse("shop:profile")).status_code == 302


def test_password_reset_sends_a_working_link(client):
    user = UserFactory()
    client.post(reverse("account_reset_password"), {"email": user.email})
    assert len(mail.outbox) == 1
    path = re.search(r"/accounts/password/reset/key/\S+/", mail.outbox[0].body)[0]
    form_page = client.get(path, follow=True)
    client.post(
        form_page.redirect_chain[-1][0] if form_page.redirect_chain else path,
        {"password1": "a-brand-new-secret", "password2": "a-brand-new-secret"},
    )
    user.refresh_from_db()
    assert user.check_password("a-brand-new-secret")


def test_profile_stores_phone_in_e164(client):
    user = UserFactory()
    client.force_login(user)
    response = client.post(
        reverse("shop:profile"), {"display_name": "Haru", "phone": "090-1234-5678"}
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert (user.display_name, str(user.phone)) == ("Haru", "+819012345678")


def test_profile_rejects_an_invalid_phone(client):
    user = UserFactory()
    client.force_login(user)
    response = client.post(
        reverse("shop:profile"), {"display_name": "Haru", "phone": "12"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["phone"]


# --- Address book -----------------------------------------------------------


def _address_data(**overrides):
    return {
        "recipient_name": "山田 花子",
        "country": "JP",
        "postal_code": "１５０００４１",
        "prefecture": "JP-13",
        "city": "渋谷区神南",
        "line1": "1-2-3",
        "line2": "",
        "phone": "03-1234-5678",
        **overrides,
    }


def test_add_a_japanese_address_normalised(client):
    user = UserFactory()
    client.force_login(user)
    response = client.post(reverse("shop:address_create"), _address_data())
    assert response.status_code == 302
    address = user.addresses.get()
    assert (address.postal_code, address.region, str(address.phone)) == (
        "150-0041",
        "JP-13",
        "+81312345678",
    )
    assert address.is_default  # the first address is the default


@pytest.mark.parametrize(
    ("field", "value", "error_on"),
    [
        ("postal_code", "12-345", "postal_code"),
        ("prefecture", "", "prefecture"),
        ("prefecture", "JP-48", "prefecture"),
        ("region", "Atlantis", "prefecture"),
        ("recipient_name", "", "recipient_name"),
    ],
)
def test_invalid_japanese_address_is_a_form_error(client, field, value, error_on):
    user = UserFactory()
    client.force_login(user)
    data = _address_data(**{field: value})
    if field == "region":  # typed, with no prefecture chosen
        data["prefecture"] = ""
    response = client.post(reverse("shop:address_create"), data)
    assert response.status_code == 200
    assert list(response.context["form"].errors) == [error_on]
    assert not Address.objects.exists()


def test_other_countries_are_allowed(client):
    user = UserFactory()
    client.force_login(user)
    response = client.post(
        reverse("shop:address_create"),
        _address_data(
            country="FR", postal_code="75001", region="Île-de-France", city="Paris",
            phone="+33 1 42 60 00 00",
        ),
    )  # fmt: skip
    assert response.status_code == 302
    assert user.addresses.get().region == "Île-de-France"


def test_edit_default_and_delete(client):
    user = UserFactory()
    client.force_login(user)
    first = AddressFactory(user=user, is_default=True)
    second = AddressFactory(user=user)
    client.post(reverse("shop:address_make_default", args=[second.pk]))
    assert list(user.addresses.filter(is_default=True)) == [second]

    client.post(
        reverse("shop:address_edit", args=[first.pk]), _address_data(line1="9-9-9")
    )
    first.refresh_from_db()
    assert first.line1 == "9-9-9"

    client.post(reverse("shop:address_delete", args=[second.pk]))
    assert list(user.addresses.all()) == [first]
    first.refresh_from_db()
    assert first.is_default


def test_prefecture_spellings():
    assert regions.prefecture_code("tokyo-to") == "JP-13"
    assert regions.prefecture_code("京都") == "JP-26"
    assert regions.prefecture_code("Kyoto") == "JP-26"
    assert regions.prefecture_code("Kyouto") == "JP-26"
    assert regions.prefecture_code("Hokkaido") == "JP-01"
    assert regions.prefecture_code(" 大阪府 ") == "JP-27"
    assert regions.prefecture_code("Hyōgo") == "JP-28"
    assert regions.prefecture_code("jp-47") == "JP-47"
    with pytest.raises(ValueError, match="47"):
        regions.prefecture_code("Springfield")
