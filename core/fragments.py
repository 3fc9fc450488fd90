"""Rendered fragments of busy pages (a grid of items), kept in the shared
cache so a page renders its items once, not per request.

A fragment's key is a digest of everything it shows — the values the caller
passes in ``shown``, the language, the settings it shows
(``CORE_CACHE_VARY_ON_SETTINGS``, such as the currency), and the deploy's
templates and translations (``deploy_digest``) — so it never has to be
invalidated: a changed price, stock level, name or item makes a new key at
once, whichever code path changed it (a service, the admin, a bulk update),
and stale entries simply expire.

A fragment is rendered without the request: no user, session or context
processor reaches it, so nothing belonging to one visitor can end up in what
another is served. Forms inside it use ``{% csrf_token %}`` as usual; the
cached text holds a placeholder that each request replaces with its own token,
and so it does for ``{% submission_field %}``: a new key each time it is served.
"""

import hashlib
import re
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.cache import cache
from django.http import HttpRequest
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from core import submissions

# Long enough to serve a busy page from the cache, short enough that entries
# for things that changed do not linger; correctness never depends on it.
TIMEOUT = 600
# Alphanumeric, so escaping leaves it alone; and replaced only inside the
# exact input element {% csrf_token %} writes, which text a visitor typed
# (escaped, with no raw quotes) cannot imitate.
_CSRF_PLACEHOLDER = "csrfTokenOfTheRequestFilledInPerRequest"
_CSRF_INPUT = '<input type="hidden" name="csrfmiddlewaretoken" value="{}">'
CSRF_PLACEHOLDER_INPUT = _CSRF_INPUT.format(_CSRF_PLACEHOLDER)
# The same field holding any token: to put the placeholder back in a page.
CSRF_INPUT_PATTERN = re.compile(
    re.escape(_CSRF_INPUT).replace(re.escape("{}"), "[A-Za-z0-9]+")
)


@lru_cache(maxsize=1)
def deploy_digest() -> str:
    """The templates, translations and static files' manifest this process
    serves: read once, as they change only with a deploy (and a restart).
    Cached markup is keyed on it, so a deploy never serves the old."""
    digest = hashlib.blake2b(digest_size=8)
    folders = [Path(folder) for folder in settings.TEMPLATES[0]["DIRS"]]
    files = [path for folder in folders for path in sorted(folder.rglob("*.html"))]
    files += [
        path for folder in settings.LOCALE_PATHS for path in Path(folder).rglob("*.mo")
    ]
    manifest = getattr(staticfiles_storage, "manifest_name", None)
    if manifest and staticfiles_storage.exists(manifest):
        files.append(Path(staticfiles_storage.path(manifest)))
    for path in sorted(files):
        digest.update(str(path).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def shown_settings() -> tuple:
    """The values of the settings cached markup shows, named by
    ``CORE_CACHE_VARY_ON_SETTINGS``: part of every key, so markup rendered
    under other values (a changed currency) is never served."""
    return tuple(
        getattr(settings, name) for name in settings.CORE_CACHE_VARY_ON_SETTINGS
    )


def render_fragment(
    request: HttpRequest,
    template_name: str,
    context: dict | Callable[[], dict],
    *,
    shown: object,
) -> SafeString:
    """``template_name`` rendered with ``context``, from the cache if a
    fragment showing the same ``shown`` values was rendered before.
    ``context`` may be a function, called only to render.

    ``shown`` must hold every value the fragment displays or branches on
    (a tuple of tuples of plain values; its ``repr`` is hashed).
    """
    # With DEBUG (run mode) templates are re-read when they change, so the
    # rendering is never cached there: an edited template shows at once.
    html = key = None
    if not settings.DEBUG:
        digest = hashlib.blake2b(
            repr(
                (
                    deploy_digest(),
                    get_language(),
                    *shown_settings(),
                    shown,
                )
            ).encode(),
            digest_size=16,
        ).hexdigest()
        key = f"fragment:{template_name}:{digest}"
        html = cache.get(key)
    if html is None:
        if callable(context):
            context = context()
        html = render_to_string(
            template_name, {**context, "csrf_token": _CSRF_PLACEHOLDER}
        )
        # Each serving gets its own submission keys (see core.submissions).
        html = submissions.without_keys(html)
        if key is not None:
            cache.set(key, html, TIMEOUT)
    html = submissions.with_fresh_keys(with_csrf_token(html, request))
    return mark_safe(html)  # noqa: S308 - escaped there


def with_csrf_token(html: str, request: HttpRequest) -> str:
    """``html`` with each placeholder form field holding the request's token."""
    if CSRF_PLACEHOLDER_INPUT in html:
        html = html.replace(
            CSRF_PLACEHOLDER_INPUT, format_html(_CSRF_INPUT, get_token(request))
        )
    return html
