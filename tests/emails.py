"""Sent emails as a mail client and a person see them: parsed from their
bytes by Python's ``email`` package, their HTML read by ``html.parser``.

Privacy tests check ``email_text``, which holds every part a client may show,
so a rule kept in the text part but broken in the HTML part fails them too.
"""

import email
import email.policy
import html
from dataclasses import dataclass, field
from html.parser import HTMLParser

# Elements that have no end tag in HTML.
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta"}
VOID |= {"source", "track", "wbr"}


@dataclass
class ParsedEmail:
    subject: str
    text: str
    html: str
    charsets: list[str]


def parse(message) -> ParsedEmail:
    """The message as a receiving client parses it: multipart/alternative,
    text first (the fallback), then HTML (the preferred), both utf-8."""
    raw = message.message().as_bytes()
    parsed = email.message_from_bytes(raw, policy=email.policy.default)
    assert parsed.get_content_type() == "multipart/alternative", raw[:400]
    parts = list(parsed.iter_parts())
    assert [part.get_content_type() for part in parts] == [
        "text/plain",
        "text/html",
    ]
    return ParsedEmail(
        subject=str(parsed["Subject"]).strip(),
        text=parts[0].get_content(),
        html=parts[1].get_content(),
        charsets=[part.get_content_charset() for part in parts],
    )


def html_body(message) -> str:
    (alternative,) = [
        content for content, mimetype in message.alternatives if mimetype == "text/html"
    ]
    return alternative


def email_text(message) -> str:
    """Everything a reader may see: the subject, the text part, the HTML
    part as sent and with its entities decoded (so "&amp;" hides no name)."""
    markup = html_body(message)
    return "\n".join((message.subject, message.body, markup, html.unescape(markup)))


@dataclass
class HtmlReport:
    lang: str = ""
    charset: str = ""
    links: list[str] = field(default_factory=list)
    images: list[dict] = field(default_factory=list)
    scripts: int = 0
    stylesheets: int = 0
    problems: list[str] = field(default_factory=list)
    text: list[str] = field(default_factory=list)


class _Checker(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.report = HtmlReport()
        self.open: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "html":
            self.report.lang = attributes.get("lang") or ""
        elif tag == "meta" and "charset" in attributes:
            self.report.charset = attributes["charset"]
        elif tag == "a" and attributes.get("href"):
            self.report.links.append(attributes["href"])
        elif tag == "img":
            self.report.images.append(attributes)
        elif tag == "script":
            self.report.scripts += 1
        elif tag == "link" and attributes.get("rel") == "stylesheet":
            self.report.stylesheets += 1
        if tag not in VOID:
            self.open.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.open.pop()

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        if not self.open or self.open[-1] != tag:
            self.report.problems.append(f"</{tag}> closes <{self.open[-1:]}>")
            if tag in self.open:
                while self.open.pop() != tag:
                    pass
            return
        self.open.pop()

    def handle_data(self, data):
        if data.strip():
            self.report.text.append(data.strip())


def check_html(markup: str) -> HtmlReport:
    """Read the HTML part and fail on what mail clients break on: unclosed
    or misnested elements, scripts, external stylesheets, images without
    alt, width and height, links that are not absolute."""
    checker = _Checker()
    checker.feed(markup)
    checker.close()
    report = checker.report
    if checker.open:
        report.problems.append(f"never closed: {checker.open}")
    assert not report.problems, report.problems
    assert markup.lstrip().lower().startswith("<!doctype html>")
    assert report.lang
    assert report.charset.lower() == "utf-8"
    assert report.scripts == 0 and report.stylesheets == 0
    assert "<style" not in markup.lower()
    for image in report.images:
        assert image.get("alt"), image
        assert image.get("width") and image.get("height"), image
        assert image["src"].startswith(("http://", "https://")), image
    for link in report.links:
        assert link.startswith(("http://", "https://")), link
    return report
