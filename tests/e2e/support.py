"""What the journeys share: the browser's launch options, contexts with
screenshots and the site's Content Security Policy enforced, signing in,
paying on the test provider's hosted page, and the accessibility check with
axe-core."""

import json
import os
import re
import shutil
import zipfile
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.core import mail
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, expect

from shop.demo import DEMO_PASSWORD
from shop.models import Order, OrderEvent, Payment, PaymentEvent
from support.demo import DEMO_TOTP_SECRET
from tests.shop.factories import totp_code
from tests.workers import wait_for

# Debian's chromium unless CHROMIUM names another (scripts/ensure-browser.sh);
# Playwright never downloads a browser of its own.
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
AXE = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = Path(settings.BASE_DIR) / "var" / "test-artifacts" / "e2e"
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}

# The test provider's cards (shop.payments.test_provider), as a customer types them.
TEST_CARD = "4242 4242 4242 4242"
DECLINED_CARD = "4000 0000 0000 0002"
# The browser's regular expressions know no (?P<name>...): a plain group.
HOSTED_PAGE = re.compile(r"/payments/test/checkout/([\w-]+)/$")

expect.set_options(timeout=10_000)
_started: set[Path] = set()


class Journey:
    """One journey's browser contexts, numbered screenshots and page checks."""

    def __init__(self, *, name: str, browser: Browser, base_url: str) -> None:
        self.name = name
        self.browser = browser
        self.base_url = base_url
        self.contexts: list[BrowserContext] = []
        # What the browser refused under the site's Content Security Policy
        # (a script, a style, a form posted or redirected elsewhere).
        self.csp_violations: list[str] = []
        self.folder = ARTIFACTS / name
        # A journey of several tests numbers its screenshots on from the
        # last test's; a new run starts the folder afresh.
        if self.folder not in _started:
            shutil.rmtree(self.folder, ignore_errors=True)
            _started.add(self.folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.step = len(list(self.folder.glob("*.png")))

    def new_page(self, **options) -> Page:
        # The site's Content Security Policy is enforced, as in any browser:
        # whatever it refuses is noted (Chromium reports it on the console)
        # and fails the journey.
        context = self.browser.new_context(
            base_url=self.base_url,
            locale="en-US",
            timezone_id="Asia/Tokyo",
            **options,
        )
        context.set_default_timeout(10_000)
        context.on("console", self._note_csp_violation)
        self.contexts.append(context)
        return context.new_page()

    def _note_csp_violation(self, message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            self.csp_violations.append(
                f"{message.page.url if message.page else '?'}: {message.text}"
            )

    def close(self) -> None:
        for context in self.contexts:
            context.close()

    def shot(self, page: Page, step: str) -> Path:
        self.step += 1
        path = self.folder / f"{self.step:02d}-{step}.png"
        # From the top: scrolled, the sticky header lands mid-page in a
        # full-page capture.
        page.evaluate("window.scrollTo(0, 0)")
        page.screenshot(path=path, full_page=True)
        return path

    def shoot_all(self, step: str) -> None:
        for context in self.contexts:
            for page in context.pages:
                self.shot(page, step)

    def sign_in(self, page: Page, email: str, *, staff: bool = False) -> None:
        """The site's login, and for staff the authenticator's current code."""
        page.goto("/accounts/login/")
        page.get_by_label("Email").fill(email)
        page.get_by_label("Password").fill(DEMO_PASSWORD)
        page.get_by_role("button", name="Log in").click()
        if staff:
            page.get_by_label("Code").fill(totp_code(DEMO_TOTP_SECRET))
            page.get_by_role("button", name="Log in").click()
        expect(page.get_by_role("status")).to_contain_text("You're logged in")


def pattern(text: str, placeholder: str) -> re.Pattern:
    """``text`` with ``placeholder`` standing for anything, whole."""
    return re.compile(
        "^" + ".+".join(re.escape(part) for part in text.split(placeholder)) + "$"
    )


def _same(message: str) -> str:
    return message


def on_hosted_page(page: Page, say: Callable[[str], str] = _same) -> str:
    """Checkout has sent the browser to the test provider's hosted payment
    page: its session id."""
    expect(page).to_have_url(HOSTED_PAGE)
    expect(page.get_by_role("note")).to_contain_text(say("Test payment provider"))
    return HOSTED_PAGE.search(page.url)[1]


def pay_on_hosted_page(
    page: Page, card: str = TEST_CARD, say: Callable[[str], str] = _same
) -> None:
    """Type ``card`` on the hosted payment page and pay."""
    page.get_by_label(say("Card number")).fill(card)
    page.get_by_role(
        "button", name=pattern(say("Pay %(amount)s"), "%(amount)s")
    ).click()


def assert_placed_once(order: Order) -> None:
    """The test provider's signed event reached the webhook (the worker
    posts it), and the order was placed once, whichever of the event and
    the return page came first."""
    payment = order.payments.exclude(provider=Payment.STORE_CREDIT).get()
    assert wait_for(
        lambda: PaymentEvent.objects.filter(
            provider="test", type="checkout.session.completed", payment=payment
        ).exists()
    ), f"no checkout.session.completed event reached the webhook for {order}"
    order.refresh_from_db()
    payment.refresh_from_db()
    assert (order.status, payment.status) == (
        Order.Status.PLACED,
        Payment.Status.CAPTURED,
    )
    assert order.events.filter(kind=OrderEvent.Kind.PAID).count() == 1


def assert_no_sideways_scroll(page: Page) -> None:
    """The page fits the window's width: nothing pushes it sideways."""
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), (
        f"{page.url} scrolls sideways"
    )


def assert_accessible(page: Page, what: str) -> None:
    """No serious or critical axe-core violation on the page as it is now.

    axe-core is evaluated through the DevTools protocol, which the page's
    Content Security Policy does not govern: a <script> tag with it inline
    would rightly be refused."""
    page.evaluate(AXE.read_text() + "\n;undefined")
    options = {"resultTypes": ["violations"]}
    # axe reads a stylesheet that @imports another (the admin's forms.css)
    # by fetching it and adding it to the page as a <style>, which the CSP
    # refuses: on such a page it preloads media only, and its one rule
    # that reads the CSS (css-orientation-lock) goes unchecked.
    if page.evaluate(_IMPORTS_A_STYLESHEET):
        options["preload"] = {"assets": ["media"]}
    results = page.evaluate(
        "async (options) => await axe.run(document, options)", options
    )
    bad = [v for v in results["violations"] if v["impact"] in ("serious", "critical")]
    assert not bad, f"Accessibility violations on {what} ({page.url}):\n" + "\n".join(
        _describe(violation) for violation in bad
    )


_IMPORTS_A_STYLESHEET = """() => [...document.styleSheets].some((sheet) => {
    try { return [...sheet.cssRules].some((rule) => rule instanceof CSSImportRule); }
    catch (error) { return false; }
})"""


def _describe(violation: dict) -> str:
    lines = [
        f"- [{violation['impact']}] {violation['id']}: {violation['help']}"
        f" ({violation['helpUrl']})"
    ]
    for node in violation["nodes"][:8]:
        lines.append(f"    {json.dumps(node['target'])}: {node['html'][:200]}")
        if node.get("failureSummary"):
            lines.append("      " + node["failureSummary"].replace("\n", "\n      "))
    return "\n".join(lines)


def download_and_open_the_export(journey, page: Page, email: str, folder) -> dict:
    """After "Prepare my data": the worker's email, the download from its
    link, the ZIP's two files, and its page opened offline in a tab of its
    own. Returns data.json."""

    def ready() -> list:
        return [
            m
            for m in mail.outbox
            if m.to == [email] and m.subject == "Your data is ready to download"
        ]

    assert wait_for(ready)
    (message,) = ready()
    link = re.search(r"https?://\S+/account/data/\d+/download/", message.body)[0]
    with page.expect_download() as downloading:
        page.evaluate("url => { window.location.href = url }", link)
    download = downloading.value
    assert re.fullmatch(
        r"hoshii-data-\d{4}-\d{2}-\d{2}\.zip", download.suggested_filename
    )
    archive = zipfile.ZipFile(download.path())
    assert sorted(archive.namelist()) == ["data.json", "index.html"]
    data = json.loads(archive.read("data.json"))
    assert data["profile"]["email"] == email
    (folder / "index.html").write_bytes(archive.read("index.html"))
    opened = journey.new_page()
    opened.goto((folder / "index.html").as_uri())
    expect(opened.get_by_role("heading", level=1)).to_have_text("Your data at Hoshii")
    expect(opened.get_by_role("heading", name="Orders")).to_be_visible()
    journey.shot(opened, "the-export")
    opened.close()
    return data
