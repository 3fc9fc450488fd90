"""The site in Japanese: the customer's pages, prices, dates and emails.

A customer reads Japanese when their browser asks for it (LocaleMiddleware)
or they chose it in the header; emails and timeline entries written later,
by a worker or an agent, follow the language kept on their account.
"""

import pytest
from django.conf import settings
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import trans_real

from callbacks.models import CallbackRequest
from shop import emails
from shop.models import User
from support import calls
from support import services as support_services
from support.models import Case, CaseEvent
from tests.emails import html_body
from tests.gifts.factories import give
from tests.shop.factories import (
    PASSWORD,
    ProductFactory,
    UserFactory,
    cart_with,
    deliver,
    placed_order,
)
from tests.support.factories import help_form
from tests.wishlist.factories import WishListItemFactory

pytestmark = pytest.mark.django_db

JA = {"HTTP_ACCEPT_LANGUAGE": "ja"}


@pytest.fixture(autouse=True, scope="module")
def _compiled_messages():
    # `make test` compiles them first; this lets a bare `pytest` run too.
    call_command(
        "compilemessages",
        locale=["ja"],
        ignore_patterns=[".venv", "node_modules"],
        verbosity=0,
    )
    # Catalogues loaded before the .mo existed (what django.test.signals
    # does when LOCALE_PATHS changes).
    trans_real._translations = {}
    trans_real._active = trans_real.Local()


@pytest.fixture(autouse=True)
def _english_afterwards():
    yield
    translation.deactivate()


@pytest.fixture
def buyer(client) -> User:
    user = UserFactory(language="ja")
    client.force_login(user)
    return user


def japanese_page(client, url: str) -> str:
    response = client.get(url, **JA)
    assert response.status_code == 200
    page = response.content.decode()
    assert '<html lang="ja">' in page
    return page


def test_product_list_and_detail(client):
    product = ProductFactory(price=1200, name="Linen sheets", name_ja="リネンシーツ")
    page = japanese_page(client, reverse("shop:product_list"))
    assert "すべての商品" in page
    assert "リネンシーツ" in page
    assert "￥1,200" in page
    assert "¥1,200" not in page  # the English (half-width) yen sign

    page = japanese_page(client, product.get_absolute_url())
    assert "カートに入れる" in page
    assert "￥1,200" in page


def test_cart(client, buyer):
    cart_with(buyer, (ProductFactory(price=3400), 2))
    page = japanese_page(client, reverse("shop:cart"))
    assert "ショッピングカート" in page
    assert "ご購入手続きへ" in page
    assert "￥6,800" in page
    assert "送料" in page


def test_order_detail_dates_and_prices(client, buyer):
    order = placed_order(buyer, (ProductFactory(price=8000), 1))
    deliver(order)
    page = japanese_page(client, order.get_absolute_url())
    assert f"ご注文番号 {order.number}" in page
    with translation.override("ja"):
        placed = date_format(localtime(order.placed_at), "DATETIME_FORMAT")
    assert placed.startswith(f"{order.placed_at.year}年")  # not "Nov. 25, 2026"
    assert placed in page
    assert "￥8,000" in page
    assert "配達済み" in page
    assert "このご注文について問い合わせる" in page


def test_an_order_keeps_the_japanese_name_it_was_ordered_under(client, buyer):
    product = ProductFactory(name="Yellow ink", name_ja="黄色インク")
    order = placed_order(buyer, (product, 1))
    product.name_ja = "イエローインク（新パッケージ）"
    product.save()
    assert "黄色インク" in japanese_page(client, order.get_absolute_url())
    assert "Yellow ink" in client.get(order.get_absolute_url()).content.decode()
    emails.send_order_confirmation(order)  # the buyer reads Japanese
    assert "黄色インク" in mail.outbox[-1].body


def test_get_help_and_the_case_page(client, buyer):
    product = ProductFactory(name="Yellow ink", name_ja="黄色インク", stock_on_hand=9)
    order = placed_order(buyer, (product, 2))
    deliver(order)
    page = japanese_page(client, reverse("support:get_help", args=[order.pk]))
    assert "どのような問題ですか？" in page
    assert "商品が入っていなかった" in page

    response = client.post(
        reverse("support:get_help", args=[order.pk]),
        help_form(order, problem="missing_item"),
        **JA,
    )
    case = Case.objects.get()
    assert response.url == case.get_absolute_url()
    page = japanese_page(client, case.get_absolute_url())
    assert "これまでの経緯" in page
    assert "交換品（黄色インク × 1）を発送しました。" in page
    assert "年" in page


def test_wish_list_and_gifts_received(client):
    item = WishListItemFactory(product=ProductFactory(price=5500))
    owner = item.wishlist.owner
    deliver(give(item).order)
    client.force_login(owner)

    page = japanese_page(client, item.wishlist.get_absolute_url())
    assert "共有" in page
    assert "結婚" in page  # the occasion

    page = japanese_page(client, item.wishlist.get_share_url())
    assert "ほしい物リスト" in page
    assert "￥5,500" in page

    page = japanese_page(client, reverse("gifts:received"))
    assert "届いたギフト" in page


# --- The language kept on the account ---------------------------------------


def test_signing_in_keeps_the_language_the_site_was_read_in(client):
    user = UserFactory()
    client.post(
        reverse("account_login"), {"login": user.email, "password": PASSWORD}, **JA
    )
    user.refresh_from_db()
    assert user.language == "ja"


def test_signing_in_on_another_browser_keeps_the_saved_language(client):
    user = UserFactory(language="ja")
    english = {"HTTP_ACCEPT_LANGUAGE": "en"}
    client.post(
        reverse("account_login"), {"login": user.email, "password": PASSWORD}, **english
    )
    user.refresh_from_db()
    assert user.language == "ja"  # the browser's language was only a guess
    client.logout()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # chosen in the header
    client.post(
        reverse("account_login"), {"login": user.email, "password": PASSWORD}, **english
    )
    user.refresh_from_db()
    assert user.language == "en"


def test_choosing_a_language_in_the_header_keeps_it(client, buyer):
    response = client.post(
        reverse("set_language"), {"language": "en", "next": "/"}, **JA
    )
    assert response.status_code == 302
    buyer.refresh_from_db()
    assert buyer.language == "en"
    client.post(reverse("set_language"), {"language": "xx", "next": "/"})
    buyer.refresh_from_db()
    assert buyer.language == "en"


def test_order_email_in_the_customers_language(django_capture_on_commit_callbacks):
    buyer = UserFactory(language="ja")
    with django_capture_on_commit_callbacks(execute=True):
        order = placed_order(buyer, (ProductFactory(price=1500), 2))
    assert translation.get_language() == "en"  # placed from an English context
    message = mail.outbox[-1]
    assert (
        message.subject
        == f"【Hoshii】ご注文確定のお知らせ（ご注文番号 {order.number}）"
    )
    assert f"ご注文（ご注文番号 {order.number}）ありがとうございます。" in message.body
    # Written as in Japan: 〒, then prefecture, city and street, the name last.
    assert "〒150-0041\n東京都渋谷区神南" in message.body
    assert f"{order.ship_to_name} 様" in message.body
    assert "￥3,000" in message.body
    assert "Thank you" not in message.body


def test_shipping_email_from_a_japanese_agent_to_an_english_customer():
    buyer = UserFactory(language="en")
    order = placed_order(buyer, (ProductFactory(), 1))
    mail.outbox.clear()
    with translation.override("ja"):
        emails.send_shipment_notification(deliver(order))
    message = mail.outbox[-1]
    assert "is on its way" in message.subject
    # Labels for what is empty (no estimate given) are left out, so the
    # words that are always there show the language.
    assert "Shipping to" in message.body
    assert "View your order" in html_body(message)
    # Western order for an English reader: the prefecture in English, the
    # postal code after it, the country last.
    assert "渋谷区神南, Tokyo 150-0041\nJapan" in message.body


def test_what_an_agent_writes_on_the_timeline_is_in_the_customers_language():
    buyer = UserFactory(language="ja")
    kettle = ProductFactory(name="Kettle", name_ja="やかん", stock_on_hand=5)
    order = placed_order(buyer, (kettle, 1))
    deliver(order)
    case = support_services.file_case(
        customer=buyer, order_line=order.lines.get(), problem=Case.Problem.DAMAGED
    )
    agent = UserFactory(is_staff=True, language="en")
    support_services.reship(case=case, actor=agent)
    body = case.events.get(kind=CaseEvent.Kind.REPLACEMENT).body
    assert body.startswith("交換品（やかん × 1）を発送しました。")
    assert "年" in body


def test_call_updates_from_a_worker_are_in_the_language_of_the_call():
    order = placed_order(UserFactory(language="ja"), (ProductFactory(), 1))
    case = support_services.file_case(
        customer=order.buyer,
        order_line=order.lines.get(),
        problem=Case.Problem.OTHER,
        description="壊れていました",
    )
    callback = CallbackRequest.objects.create(
        subject=calls.subject_for(case),
        number="+819012345678",
        language="ja",
        script="…",
        due_at=case.created_at,
    )
    event = calls.record_call_change(
        case=case,
        callback=callback,
        new_state=CallbackRequest.State.DIALING,
        detail="",
    )
    assert event.body == "ただいまお電話をおかけしています。"


@pytest.mark.parametrize(
    ("display_name", "english", "japanese"),
    [
        ("Aiko", "A gift for Aiko", "Aikoさんへのギフト"),
        ("", "A gift for a Hoshii customer", "Hoshiiのお客様へのギフト"),
    ],
)
def test_a_name_in_a_sentence_reads_in_both_languages(display_name, english, japanese):
    """A real name takes "さん"; the stand-in for someone with no name takes
    none ("Hoshiiのお客様さん"), and is not capitalized mid-sentence."""
    user = User(display_name=display_name)
    for language, expected in (("en", english), ("ja", japanese)):
        with translation.override(language):
            assert (
                translation.gettext("A gift for %(name)s")
                % {"name": user.name_in_sentence}
                == expected
            )
