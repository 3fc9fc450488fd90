"""The HTML emails as a mail client's web view draws them: Chromium renders
an order confirmation and a support reply at a desktop client's width and
at a phone's, and the layout holds (the card at most 600 px, nothing wider
than a phone, the button drawn in the shop's colour, every picture loaded
at its size). The screenshots are in ``var/test-artifacts/e2e/emails/``;
``docs/screenshots/email-order.png`` and ``email-case.png`` are copies."""

import io

import pytest
from django.core import mail
from PIL import Image, ImageDraw
from playwright.sync_api import Browser, Page

from shop import emails as shop_emails
from support import emails as support_emails
from support.models import CaseEvent
from tests.emails import parse
from tests.shop.factories import (
    ProductFactory,
    UserFactory,
    photographed,
    placed_order,
)
from tests.support.factories import CaseFactory

from .support import ARTIFACTS

pytestmark = pytest.mark.django_db

SITE = "https://shop.example"
FOLDER = ARTIFACTS / "emails"
DESKTOP = {"viewport": {"width": 900, "height": 900}}
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True}


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = SITE


def _product_photo() -> bytes:
    """A stand-in product photo: the email only needs a picture to load."""
    image = Image.new("RGB", (128, 128), "#f5e6d8")
    ImageDraw.Draw(image).ellipse((24, 24, 104, 104), fill="#c2410c")
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def _render(browser: Browser, markup: str, options: dict) -> Page:
    """The HTML part in a fresh page; the shop's pictures served locally,
    as a mail client fetches them from SITE_URL."""
    context = browser.new_context(**options)
    page = context.new_page()
    photo = _product_photo()
    page.route(
        f"{SITE}/media/**",
        lambda route: route.fulfill(body=photo, content_type="image/png"),
    )
    page.set_content(markup, wait_until="load")
    return page


def _check_layout(page: Page, width: int) -> None:
    card_width = page.evaluate(
        "() => document.querySelector('table[width=\"600\"]')"
        ".getBoundingClientRect().width"
    )
    assert card_width <= 600
    assert page.evaluate("() => document.documentElement.scrollWidth") <= width
    button = page.locator('td[bgcolor="#c2410c"] a')
    assert button.is_visible()
    colour = button.evaluate("a => getComputedStyle(a.parentElement).backgroundColor")
    assert colour == "rgb(194, 65, 12)"
    for size in page.eval_on_selector_all(
        "img", "images => images.map(i => [i.naturalWidth, i.width, i.height])"
    ):
        assert size[0] > 0, "a picture did not load"
        assert size[1:] == [64, 48]


def _shoot(browser: Browser, markup: str, name: str) -> None:
    FOLDER.mkdir(parents=True, exist_ok=True)
    for label, options in (("desktop", DESKTOP), ("phone", PHONE)):
        page = _render(browser, markup, options)
        try:
            _check_layout(page, options["viewport"]["width"])
            page.screenshot(path=FOLDER / f"{name}-{label}.png", full_page=True)
        finally:
            page.context.close()


@pytest.mark.parametrize("language", ["en", "ja"])
def test_order_confirmation_renders_in_a_browser(browser, language):
    buyer = UserFactory(display_name="Mika", language=language)
    order = placed_order(
        buyer,
        (photographed([ProductFactory(name="Linen apron")], per_product=1)[0], 2),
        (photographed([ProductFactory(name="Cast-iron teapot")], per_product=1)[0], 1),
        (ProductFactory(name="Hand towel"), 3),
    )
    mail.outbox.clear()

    shop_emails.send_order_confirmation(order)

    suffix = "" if language == "en" else "-ja"
    _shoot(browser, parse(mail.outbox[0]).html, f"email-order{suffix}")


def test_support_reply_renders_in_a_browser(browser):
    order = placed_order(
        UserFactory(),
        (
            photographed([ProductFactory(name="Pixel printer PX-200")], per_product=1)[
                0
            ],
            1,
        ),
    )
    case = CaseFactory(order=order)
    event = CaseEvent.objects.create(
        case=case,
        kind=CaseEvent.Kind.REPLY,
        body=(
            "Sorry the manual was missing from the box.\n"
            "You can read it online at https://hoshii.example/manuals/px-200.pdf, "
            "and a printed copy is on its way with the warranty card."
        ),
    )
    mail.outbox.clear()

    support_emails.send_case_reply(event)

    _shoot(browser, parse(mail.outbox[0]).html, "email-case")
