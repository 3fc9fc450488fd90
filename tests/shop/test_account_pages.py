"""allauth's pages and emails in the shop's design and words.

Every page a customer or staff member reaches to sign up, log in, confirm a
second factor or manage their password is rendered in our layout, says
"Log in" / "Log out" / "Sign up" (ログイン / ログアウト / 新規登録) throughout,
shows each error under its own field and no empty box; every account email
names the shop and its domain from settings, never example.com.
"""

import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.adapter import get_adapter as get_mfa_adapter
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from django.contrib.sites.models import Site
from django.core import mail
from django.core.management.sql import emit_post_migrate_signal
from django.urls import reverse

from .factories import PASSWORD, STAFF_TOTP_SECRET, UserFactory, totp_code

pytestmark = pytest.mark.django_db

OUR_LAYOUT = ('class="site-header"', "css/hoshii.css", 'id="main"')
THEIR_WORDS = re.compile(r"Sign In|Sign Out|Sign Up|Signup|sign in|sign out")


def _customer(**kwargs):
    # An address that can't be mistaken for allauth's example.com.
    kwargs.setdefault("email", "haru@hoshii.test")
    return UserFactory(**kwargs)


def _with_totp(user):
    Authenticator.objects.create(
        user=user,
        type=Authenticator.Type.TOTP,
        data={"secret": get_mfa_adapter().encrypt(STAFF_TOTP_SECRET)},
    )
    RecoveryCodes.activate(user)
    return user


class _Forms(HTMLParser):
    """Each <form> on a page: its attributes and the controls a person sees."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.forms.append({"attrs": attrs, "visible": 0})
        elif (
            tag in ("input", "button", "textarea", "select")
            and self.forms
            and attrs.get("type") != "hidden"
        ):
            self.forms[-1]["visible"] += 1


def _assert_ours(response, *, words_of_ours=()):
    assert response.status_code == 200
    html = response.content.decode()
    for marker in OUR_LAYOUT:
        assert marker in html, marker
    assert "example.com" not in html
    assert not THEIR_WORDS.search(html), THEIR_WORDS.search(html)
    for words in words_of_ours:
        assert words in html, words
    # No empty box: every form shows something to fill in or press, or is
    # hidden (the "cancel" form a button elsewhere submits).
    parser = _Forms()
    parser.feed(html)
    for form in parser.forms:
        assert form["visible"] or "hidden" in form["attrs"], form
    return html


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("account_login", ["<title>Log in · Hoshii</title>", ">Log in</button>"]),
        ("account_signup", ["<title>Sign up · Hoshii</title>", ">Sign up</button>"]),
        ("account_reset_password", []),
        ("account_reset_password_done", []),
        ("account_email_verification_sent", ["<h1>Check your email</h1>"]),
    ],
)
def test_entrance_pages_are_ours(client, name, words):
    _assert_ours(client.get(reverse(name)), words_of_ours=words)


def test_a_broken_reset_link_page_is_ours(client):
    response = client.get(
        reverse("account_reset_password_from_key", args=["x", "bad-key"])
    )
    _assert_ours(response)


def test_a_reset_link_opens_our_new_password_form_and_done_page(client):
    user = _customer()
    client.post(reverse("account_reset_password"), {"email": user.email})
    path = re.search(r"/accounts/password/reset/key/\S+/", mail.outbox[0].body)[0]
    form_page = client.get(path, follow=True)
    _assert_ours(form_page, words_of_ours=['id="id_password1"'])
    response = client.post(
        form_page.redirect_chain[-1][0],
        {"password1": "a-brand-new-secret", "password2": "a-brand-new-secret"},
        follow=True,
    )
    _assert_ours(response)
    assert response.redirect_chain[-1][0] == reverse(
        "account_reset_password_from_key_done"
    )


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("account_logout", ["<title>Log out · Hoshii</title>", ">Log out</button>"]),
        ("account_change_password", ['id="id_oldpassword"']),
        ("account_email", ["haru@hoshii.test"]),
        ("account_reauthenticate", ['id="id_password"']),
        ("mfa_index", []),
    ],
)
def test_account_pages_are_ours(client, name, words):
    client.force_login(_customer())
    _assert_ours(client.get(reverse(name)), words_of_ours=words)


def test_setting_up_an_authenticator_is_ours(client):
    # Where staff without one are sent from the admin: it asks for the
    # password first, then shows the QR code.
    client.force_login(_customer(is_staff=True))
    response = client.get(reverse("admin:index"), follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("account_reauthenticate"))
    _assert_ours(response, words_of_ours=['id="id_password"'])
    response = client.post(
        response.redirect_chain[-1][0], {"password": PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0].startswith(reverse("mfa_activate_totp"))
    _assert_ours(response, words_of_ours=['class="qr"', 'id="authenticator_secret"'])


@pytest.mark.parametrize(
    "name",
    [
        "mfa_index",
        "mfa_deactivate_totp",
        "mfa_view_recovery_codes",
        "mfa_generate_recovery_codes",
    ],
)
def test_two_factor_pages_are_ours(client, name):
    user = _with_totp(_customer())
    client.force_login(user)
    # As after a fresh log-in with the code: these pages ask for it again
    # when it was long ago.
    client.post(reverse("mfa_reauthenticate"), {"code": totp_code(STAFF_TOTP_SECRET)})
    response = client.get(reverse(name))
    _assert_ours(response)


def test_the_second_step_of_logging_in_is_ours_with_no_empty_box(client):
    user = _with_totp(_customer(is_staff=True))
    response = client.post(
        reverse("account_login"), {"login": user.email, "password": PASSWORD}
    )
    assert response["Location"] == reverse("mfa_authenticate")
    html = _assert_ours(
        client.get(reverse("mfa_authenticate")),
        words_of_ours=["<title>Log in · Hoshii</title>", ">Log in</button>"],
    )
    # The cancel form holds only hidden fields: it is hidden, not a card.
    assert re.search(r'<form id="logout-from-stage"[^>]* hidden>', html)
    assert html.count('class="form narrow"') == 1


def test_staff_asked_for_a_code_at_the_admin_see_our_page(client):
    user = _with_totp(_customer(is_staff=True))
    client.force_login(user)
    response = client.get(reverse("admin:index"), follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("mfa_reauthenticate"))
    _assert_ours(response, words_of_ours=['id="id_code"'])


def test_a_wrong_password_is_shown_under_the_password(client):
    user = _customer()
    response = client.post(
        reverse("account_login"), {"login": user.email, "password": "wrong"}
    )
    html = _assert_ours(response)
    error = html.index("The email address and/or password you specified")
    assert html.index('id="id_login"') < html.index('id="id_password"') < error
    assert error < html.index('id="id_remember"')
    assert 'class="form-errors"' not in html  # not a box above the form
    # Read out with the field it belongs to.
    password_input = re.search(r'<input[^>]*id="id_password"[^>]*>', html)[0]
    assert 'aria-invalid="true"' in password_input
    assert "id_password_error" in password_input
    assert 'id="id_password_error"' in html


def test_signup_errors_sit_under_their_own_fields(client):
    response = client.post(
        reverse("account_signup"),
        {"email": "new@hoshii.test", "password1": "123", "password2": "123"},
    )
    html = _assert_ours(response)
    too_short = html.index("This password is too short")
    assert html.index('id="id_password1"') < too_short < html.index('id="id_password2"')


def test_the_pages_speak_japanese_in_the_same_words(client):
    client.cookies["django_language"] = "ja"
    login = client.get(reverse("account_login")).content.decode()
    assert "<title>ログイン · Hoshii</title>" in login
    assert ">ログイン</button>" in login
    assert "新規登録" in login
    assert "サインイン" not in login
    signup = client.get(reverse("account_signup")).content.decode()
    assert ">新規登録</button>" in signup
    client.force_login(_customer())
    logout = client.get(reverse("account_logout")).content.decode()
    assert ">ログアウト</button>" in logout
    assert "サインアウト" not in logout
    # The menu's way to the authenticator app, named as its page is.
    two_factor = client.get(reverse("mfa_index")).content.decode()
    assert f'<a href="{reverse("mfa_index")}">2段階認証</a>' in two_factor
    assert re.search(r"<h1>\s*2段階認証\s*</h1>", two_factor)


def test_logging_in_and_out_say_so_in_our_words(client):
    user = _customer(display_name="Haru")
    response = client.post(
        reverse("account_login"),
        {"login": user.email, "password": PASSWORD},
        follow=True,
    )
    html = response.content.decode()
    assert "You&#x27;re logged in as" in html
    assert f'<a href="{reverse("mfa_index")}">Two-Factor Authentication</a>' in html
    response = client.post(reverse("account_logout"), follow=True)
    assert "You&#x27;re logged out." in response.content.decode()


def test_the_signup_email_names_the_shop_and_its_domain(client, settings):
    client.post(
        reverse("account_signup"),
        {"email": "new@hoshii.test", "password1": PASSWORD, "password2": PASSWORD},
    )
    (email,) = mail.outbox
    domain = urlsplit(settings.SITE_URL).netloc
    assert email.subject == "Welcome to Hoshii: confirm your email address"
    assert "Thank you for signing up at Hoshii" in email.body
    assert f"Hoshii ({domain})" in email.body
    assert "/accounts/confirm-email/" in email.body
    assert "example.com" not in email.subject + email.body


def test_account_emails_follow_the_settings_not_the_site_row(client, settings):
    Site.objects.filter(pk=settings.SITE_ID).update(
        name="example.com", domain="example.com"
    )
    Site.objects.clear_cache()
    settings.SITE_NAME = "Hoshii Marketplace"
    settings.SITE_URL = "https://shop.hoshii.test"
    user = _customer()
    client.post(reverse("account_reset_password"), {"email": user.email})
    (email,) = mail.outbox
    assert email.subject == "Reset your Hoshii Marketplace password"
    assert "Hoshii Marketplace (shop.hoshii.test)" in email.body
    assert "example.com" not in email.subject + email.body


def test_the_signup_email_in_japanese(client):
    client.cookies["django_language"] = "ja"
    client.post(
        reverse("account_signup"),
        {"email": "new@hoshii.test", "password1": PASSWORD, "password2": PASSWORD},
    )
    (email,) = mail.outbox
    assert "Hoshii" in email.subject
    assert "メールアドレス" in email.subject
    assert "Hoshii" in email.body
    assert "example.com" not in email.subject + email.body


def test_someone_signing_up_with_a_taken_address_gets_our_email(client):
    _customer(email="taken@hoshii.test")
    client.post(
        reverse("account_signup"),
        {"email": "taken@hoshii.test", "password1": PASSWORD, "password2": PASSWORD},
    )
    (email,) = mail.outbox
    assert email.subject == "You already have a Hoshii account"
    assert "/accounts/password/reset/" in email.body


def test_the_site_row_follows_the_settings_after_every_migrate(settings):
    Site.objects.filter(pk=settings.SITE_ID).update(
        name="example.com", domain="example.com"
    )
    settings.SITE_NAME = "Hoshii"
    settings.SITE_URL = "https://shop.hoshii.test:8443"
    emit_post_migrate_signal(verbosity=0, interactive=False, db="default")
    site = Site.objects.get(pk=settings.SITE_ID)
    assert (site.name, site.domain) == ("Hoshii", "shop.hoshii.test:8443")


def test_an_unverified_address_can_be_confirmed_on_our_page(client):
    user = _customer()
    address = EmailAddress.objects.create(user=user, email="second@hoshii.test")
    client.force_login(user)
    client.post(reverse("account_email"), {"action_send": "", "email": address.email})
    link = re.search(r"/accounts/confirm-email/\S+/", mail.outbox[-1].body)[0]
    _assert_ours(client.get(link), words_of_ours=["second@hoshii.test"])
