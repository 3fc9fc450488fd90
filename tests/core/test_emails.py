"""Every email the shop sends is text plus HTML in the shop's layout, in the
reader's language, and reads as a mail client reads it: parsed from its
bytes by Python's ``email`` package, its HTML by ``html.parser``.

Each kind of email is sent through its app's own function (``shop.emails``,
``gifts.emails``, ``support.emails``) and allauth's through its views."""

import html
import re

import pytest
from django.core import mail
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from callbacks.models import CallAlarm
from callbacks.services import alarms
from gifts import emails as gift_emails
from gifts.models import GiftReturn
from shop import emails as shop_emails
from shop import services as shop_services
from shop.models import ProductImage
from support import emails as support_emails
from support.models import CaseEvent
from tests.emails import check_html, parse
from tests.gifts.factories import give
from tests.shop.factories import (
    PASSWORD,
    ProductFactory,
    UserFactory,
    photographed,
    placed_order,
)
from tests.support.factories import CaseFactory
from tests.wishlist.factories import WishListFactory, WishListItemFactory

pytestmark = pytest.mark.django_db

SITE = "https://shop.example"


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = SITE


def _order(language: str, *items):
    order = placed_order(UserFactory(language=language), *items)
    mail.outbox.clear()
    return order


# Each sends one kind of email to a reader of ``language`` and returns the
# button's URL, its label in each language, and words both parts must show.


def _order_placed(language):
    order = _order(
        language,
        (photographed([ProductFactory(name="Linen apron")], per_product=1)[0], 2),
        (ProductFactory(name="Tea towel"), 1),
    )
    shop_emails.send_order_confirmation(order)
    words = [order.number, "¥2,400" if language == "en" else "￥2,400"]
    return SITE + order.get_absolute_url(), ("View your order", "ご注文を見る"), words


def _shipment_shipped(language):
    order = _order(language)
    shipment = shop_services.create_shipment_for_remaining(order=order, actor=None)
    shipment = shop_services.mark_shipped(
        shipment=shipment, actor=None, carrier="Yamato", tracking_number="TR-42"
    )
    mail.outbox.clear()
    shop_emails.send_shipment_notification(shipment)
    return (
        SITE + order.get_absolute_url(),
        ("View your order", "ご注文を見る"),
        ["TR-42", "Yamato", order.number],
    )


def _thank_you(language):
    gift = give(WishListItemFactory(), giver=UserFactory(language=language))
    gift.thank_you_note = "We love it!\nSee you soon"
    gift.save()
    mail.outbox.clear()
    gift_emails.send_thank_you_note(gift)
    return (
        SITE + reverse("gifts:sent"),
        ("See your gifts", "贈ったギフトを見る"),
        ["We love it!", "Aiko & Ren"],
    )


def _return_credited(language):
    wishlist = WishListFactory(owner=UserFactory(language=language))
    gift = give(WishListItemFactory(wishlist=wishlist))
    line = gift.lines.select_related("order_line__product").get()
    gift_return = GiftReturn.objects.create(
        gift_line=line, kind=GiftReturn.Kind.RETURN, quantity=1
    )
    mail.outbox.clear()
    gift_emails.send_return_credited(gift_return)
    name = line.order_line.name if language == "en" else line.order_line.name_ja
    return (
        SITE + reverse("shop:product_list"),
        ("Browse the shop", "ショップを見る"),
        [name],
    )


def _case_event(language, kind, *, agent=None):
    case = CaseFactory(order=_order(language), assigned_to=agent)
    return CaseEvent.objects.create(case=case, kind=kind, body="The manual is online.")


def _reply(language):
    event = _case_event(language, CaseEvent.Kind.REPLY)
    support_emails.send_case_reply(event)
    url = SITE + event.case.get_absolute_url()
    return url, ("View your case", "お問い合わせを見る"), ["The manual is online."]


def _call_failed(language):
    event = _case_event(language, CaseEvent.Kind.CALL)
    support_emails.send_call_failed(event)
    url = SITE + event.case.get_absolute_url()
    name = event.case.order_line.name if language == "en" else "商品"
    return url, ("View your case", "お問い合わせを見る"), [name]


def _agent_message(language):
    agent = UserFactory(language=language, is_staff=True)
    event = _case_event(language, CaseEvent.Kind.CUSTOMER_MESSAGE, agent=agent)
    support_emails.notify_agent(event)
    url = SITE + reverse("admin:support_case_change", args=[event.case.pk])
    return url, ("Open the case", "ケースを開く"), ["The manual is online."]


def _call_alarm(language):
    # Staff alarms are in the shop's language, not one reader's.
    UserFactory(is_superuser=True, is_staff=True, email="boss@hoshii.test")
    alarm = CallAlarm.objects.create(
        kind=CallAlarm.Kind.SHOP_CAP, limit=40, last_refused_at=timezone.now()
    )
    with override_settings(LANGUAGE_CODE=language):
        assert alarms.email_call_alarm(alarm_id=alarm.pk) == 1
    explanation = (
        "cap of 40 calls an hour" if language == "en" else "40 件の発信上限に達したため"
    )
    return (
        SITE + reverse("admin:callbacks_callalarm_changelist"),
        ("See the call alarms", "発信アラームを見る"),
        [explanation],
    )


KINDS = {
    "order_placed": _order_placed,
    "shipment_shipped": _shipment_shipped,
    "thank_you": _thank_you,
    "return_credited": _return_credited,
    "reply": _reply,
    "call_failed": _call_failed,
    "agent_message": _agent_message,
    "call_alarm": _call_alarm,
}


def _button(markup: str) -> tuple[str, str]:
    """The bulletproof button: the link inside the coloured table cell."""
    cell = r'<td align="center" bgcolor="#c2410c"[^>]*>\s*'
    found = re.search(cell + r'<a href="([^"]+)"[^>]*>([^<]+)</a>', markup)
    assert found, "no button"
    return html.unescape(found[1]), html.unescape(found[2])


@pytest.mark.parametrize("language", ["en", "ja"])
@pytest.mark.parametrize("kind", KINDS)
def test_every_email_is_text_and_html_a_mail_parser_reads(kind, language):
    url, labels, words = KINDS[kind](language)

    (message,) = mail.outbox
    parsed = parse(message)
    report = check_html(parsed.html)

    assert parsed.charsets == ["utf-8", "utf-8"]
    assert report.lang == language
    assert _button(parsed.html) == (url, labels[language == "ja"])
    assert url in parsed.text
    visible = html.unescape(parsed.html)
    for word in [*words, parsed.subject]:
        assert word in parsed.text or word == parsed.subject
        assert word in visible, word
    # The footer says why they get it; the preheader leads the inbox preview.
    assert any("this email because" in t or "このメール" in t for t in report.text)
    assert 'style="display:none' in parsed.html


def test_order_email_shows_a_thumbnail_or_a_placeholder_for_each_line():
    _order_placed("en")

    report = check_html(parse(mail.outbox[0]).html)

    # The apron has a photo (its first photo's JPEG thumbnail, 192 px wide,
    # shown at 64 x 48: emails show no WebP); the tea towel a placeholder
    # cell of the same size.
    (image,) = report.images
    photo = ProductImage.objects.get(product__name="Linen apron")
    assert image["src"] == SITE + "/media/" + photo.image.name.replace(
        ".jpg", ".w192.jpg"
    )
    assert (image["width"], image["height"], image["alt"]) == (
        "64",
        "48",
        "Linen apron",
    )
    assert "Tea towel" in report.text
    assert "¥1,200" in report.text  # the tea towel's subtotal
    assert "¥3,600" in report.text  # the total


def test_japanese_order_email_is_in_japanese_in_both_parts():
    _order_placed("ja")

    parsed = parse(mail.outbox[0])

    for part in (parsed.text, parsed.html):
        assert "ありがとうございます" in part
        assert "Thank you" not in part
    assert "小計" in parsed.html and "合計" in parsed.html


def test_an_order_email_costs_the_same_queries_whatever_its_size():
    def queries_to_send(lines: int) -> int:
        items = [
            (product, 1) for product in photographed(ProductFactory.create_batch(lines))
        ]
        order = _order("en", *items)
        order = type(order).objects.select_related("buyer").get(pk=order.pk)
        with CaptureQueriesContext(connection) as captured:
            shop_emails.send_order_confirmation(order)
        return len(captured)

    assert queries_to_send(1) == queries_to_send(6)


# --- allauth's emails, in the same layout ----------------------------------


def _allauth_message(language: str):
    (message,) = mail.outbox
    parsed = parse(message)
    report = check_html(parsed.html)
    assert report.lang == language
    url, label = _button(parsed.html)
    assert url in parsed.text
    return url, label


@pytest.mark.parametrize(
    ("language", "label"),
    [("en", "Confirm my email address"), ("ja", "メールアドレスを確認する")],
)
def test_sign_up_confirmation_is_text_and_html(client, language, label):
    client.post(
        reverse("account_signup"),
        {"email": "new@example.com", "password1": PASSWORD, "password2": PASSWORD},
        HTTP_ACCEPT_LANGUAGE=language,
    )

    url, shown = _allauth_message(language)

    assert shown == label
    assert "/accounts/confirm-email/" in url


@pytest.mark.parametrize(
    ("language", "label"),
    [("en", "Choose a new password"), ("ja", "新しいパスワードの設定")],
)
def test_password_reset_is_text_and_html(client, language, label):
    user = UserFactory()

    client.post(
        reverse("account_reset_password"),
        {"email": user.email},
        HTTP_ACCEPT_LANGUAGE=language,
    )

    url, shown = _allauth_message(language)
    assert shown == label
    assert "/accounts/password/reset/key/" in url


def test_sign_up_with_a_taken_address_is_text_and_html(client):
    UserFactory(email="taken@example.com")

    client.post(
        reverse("account_signup"),
        {"email": "taken@example.com", "password1": PASSWORD, "password2": PASSWORD},
    )

    _url, label = _allauth_message("en")
    assert label == "Choose a new password"
    assert "taken@example.com" in parse(mail.outbox[0]).html


def test_password_reset_for_an_unknown_address_is_text_and_html(client):
    client.post(reverse("account_reset_password"), {"email": "nobody@example.com"})

    url, label = _allauth_message("en")
    assert label == "Create an account"
    assert url.endswith(reverse("account_signup"))


# --- the checker itself fails on what it is there to catch -----------------

GOOD = (
    '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"></head><body>'
    '<table><tr><td><a href="https://shop.example/">Hoshii</a>{}</td></tr></table>'
    "</body></html>"
)


@pytest.mark.parametrize(
    "inside",
    [
        '<img src="https://shop.example/a.png" width="64" height="64">',
        '<img src="https://shop.example/a.png" alt="A" width="64">',
        '<img src="/media/a.png" alt="A" width="64" height="64">',
        '<a href="/orders/1/">order</a>',
        "<script>alert(1)</script>",
        "<style>p{color:red}</style>",
        "<div><p>unclosed</div>",
    ],
    ids=[
        "no-alt",
        "no-height",
        "relative-src",
        "relative-link",
        "script",
        "style",
        "misnested",
    ],
)
def test_the_html_check_refuses_what_mail_clients_break_on(inside):
    check_html(GOOD.format(""))

    with pytest.raises(AssertionError):
        check_html(GOOD.format(inside))
