"""What the journeys share: the browser's launch options, contexts with
screenshots, signing in, and the accessibility check with axe-core."""

import json
import os
import shutil
from pathlib import Path

from django.conf import settings
from playwright.sync_api import Browser, BrowserContext, Page, expect

from shop.demo import DEMO_PASSWORD
from support.demo import DEMO_TOTP_SECRET
from tests.shop.factories import totp_code

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

expect.set_options(timeout=10_000)
_started: set[Path] = set()


class Journey:
    """One journey's browser contexts, numbered screenshots and page checks."""

    def __init__(self, *, name: str, browser: Browser, base_url: str) -> None:
        self.name = name
        self.browser = browser
        self.base_url = base_url
        self.contexts: list[BrowserContext] = []
        self.folder = ARTIFACTS / name
        # A journey of several tests numbers its screenshots on from the
        # last test's; a new run starts the folder afresh.
        if self.folder not in _started:
            shutil.rmtree(self.folder, ignore_errors=True)
            _started.add(self.folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.step = len(list(self.folder.glob("*.png")))

    def new_page(self, **options) -> Page:
        # bypass_csp: axe-core is injected as an inline script, which the
        # site's Content Security Policy rightly forbids.
        context = self.browser.new_context(
            base_url=self.base_url,
            bypass_csp=True,
            locale="en-US",
            timezone_id="Asia/Tokyo",
            **options,
        )
        context.set_default_timeout(10_000)
        self.contexts.append(context)
        return context.new_page()

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
        page.get_by_role("button", name="Sign In").click()
        if staff:
            page.get_by_label("Code").fill(totp_code(DEMO_TOTP_SECRET))
            page.get_by_role("button", name="Sign In").click()
        expect(page.get_by_role("status")).to_contain_text("Successfully signed in")


def assert_accessible(page: Page, what: str) -> None:
    """No serious or critical axe-core violation on the page as it is now."""
    page.add_script_tag(path=str(AXE))
    results = page.evaluate(
        "async () => await axe.run(document, {resultTypes: ['violations']})"
    )
    bad = [v for v in results["violations"] if v["impact"] in ("serious", "critical")]
    assert not bad, f"Accessibility violations on {what} ({page.url}):\n" + "\n".join(
        _describe(violation) for violation in bad
    )


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
