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
Other text that differs per request (a name, a count, the page's address) can
be left out of the key the same way (``per_request``), filled in escaped.

Since a key names exactly what its text shows, a copy can never be stale:
each process also keeps the fragments it served last in memory (``HELD``),
in front of the shared cache, so the header every page shows and the lines
it served before cost no round trip.
"""

import hashlib
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from functools import lru_cache
from pathlib import Path
from typing import TypeVar

from django.conf import settings
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.cache import cache
from django.http import HttpRequest
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from core import submissions

T = TypeVar("T")

# Long enough to serve a busy page from the cache, short enough that entries
# for things that changed do not linger; correctness never depends on it.
TIMEOUT = 600
# Alphanumeric, so escaping leaves it alone; and replaced only inside the
# exact input element {% csrf_token %} writes, which text a visitor typed
# (escaped, with no raw quotes) cannot imitate.
_CSRF_PLACEHOLDER = "csrfTokenOfTheRequestFilledInPerRequest"
_CSRF_INPUT = '<input type="hidden" name="csrfmiddlewaretoken" value="{}">'
CSRF_PLACEHOLDER_INPUT = _CSRF_INPUT.format(_CSRF_PLACEHOLDER)
# Where a fragment's per-request text goes. A marker holds "<", which the
# escaping of anything a visitor typed (a name, a search) turns into
# "&lt;", so no shown value can imitate one; all are filled in one pass, so
# a filled-in value is never searched again.
_PER_REQUEST_MARKER = re.compile(r"<!--per-request:(\w+)-->")


class _PerRequestMarkers:
    """``per_request.<name>`` in a fragment's template: its marker."""

    def __getitem__(self, name: str) -> SafeString:
        return mark_safe(f"<!--per-request:{name}-->")  # noqa: S308 - a constant


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


def _key(template_name: str, shown: object) -> str:
    """The cache key of ``template_name`` rendered showing ``shown``."""
    digest = hashlib.blake2b(
        repr((deploy_digest(), get_language(), *shown_settings(), shown)).encode(),
        digest_size=16,
    ).hexdigest()
    return f"fragment:{template_name}:{digest}"


class _Held:
    """The fragments this process served last, by key, at most ``size``
    characters of them (the least recently served go first, so a few large
    grids cannot crowd memory). Plain strings in a dict: a copy costs no
    round trip, no pickling and no key check. Thread-safe, for a worker's
    threads."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._chars = 0
        self._items: OrderedDict[str, str] = OrderedDict()
        self._lock = threading.Lock()

    def get_many(self, keys: list[str]) -> dict[str, str]:
        with self._lock:
            found = {key: self._items[key] for key in keys if key in self._items}
            for key in found:
                self._items.move_to_end(key)
        return found

    def update(self, fragments: dict[str, str]) -> None:
        with self._lock:
            for key, html in fragments.items():
                self._chars += len(html) - len(self._items.pop(key, ""))
                self._items[key] = html
            while self._chars > self._size:
                self._chars -= len(self._items.popitem(last=False)[1])

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._chars = 0


# A cart line is about 1,200 characters, the header 2,000, a product grid
# 10,000-60,000, a wish list of 100 items 120,000: thousands of lines and
# dozens of grids, 4-8 MB per process (Japanese text takes 2 bytes a
# character).
HELD = _Held(4_000_000)


def _cached(keys: list[str]) -> dict[str, str]:
    """The fragments stored under ``keys``: this process's copies first,
    then the shared cache's for the rest (one round trip), kept here too."""
    found = HELD.get_many(keys)
    wanted = [key for key in keys if key not in found]
    if wanted:
        shared = cache.get_many(wanted)
        HELD.update(shared)
        found.update(shared)
    return found


def _store(rendered: dict[str, str]) -> None:
    """Keep newly rendered fragments, for every process and for this one."""
    if len(rendered) == 1:  # a plain SET: set_many pipelines MSET and EXPIRE
        cache.set(*next(iter(rendered.items())), TIMEOUT)
    else:
        cache.set_many(rendered, TIMEOUT)
    HELD.update(rendered)


def _render(template_name: str, context: dict) -> str:
    html = render_to_string(template_name, {**context, "csrf_token": _CSRF_PLACEHOLDER})
    # Each serving gets its own submission keys (see core.submissions).
    return submissions.without_keys(html)


def _served(
    html: str, request: HttpRequest, csrf_field: str | None = None
) -> SafeString:
    html = submissions.with_fresh_keys(with_csrf_token(html, request, csrf_field))
    return mark_safe(html)  # noqa: S308 - escaped there


def render_fragment(
    request: HttpRequest,
    template_name: str,
    context: dict | Callable[[], dict],
    *,
    shown: object,
    per_request: dict[str, str] | None = None,
) -> SafeString:
    """``template_name`` rendered with ``context``, from the cache if a
    fragment showing the same ``shown`` values was rendered before.
    ``context`` may be a function, called only to render.

    ``shown`` must hold every value the fragment displays or branches on
    (a tuple of tuples of plain values; its ``repr`` is hashed).

    ``per_request`` holds text that differs on every request and is not in
    the key (the page's own address, a search box's text): the template
    writes ``{{ per_request.<name> }}``, the cached text keeps a marker
    there, and each serving puts in its own value, escaped.
    """
    # With DEBUG (run mode) templates are re-read when they change, so the
    # rendering is never cached there: an edited template shows at once.
    html = key = None
    if not settings.DEBUG:
        key = _key(template_name, shown)
        html = _cached([key]).get(key)
    if html is None:
        if callable(context):
            context = context()
        if per_request:
            context = {**context, "per_request": _PerRequestMarkers()}
        html = _render(template_name, context)
        if key is not None:
            _store({key: html})
    if per_request:
        html = _PER_REQUEST_MARKER.sub(
            lambda match: conditional_escape(per_request.get(match[1], "")), html
        )
    return _served(html, request)


def render_fragments(
    request: HttpRequest,
    template_name: str,
    items: Sequence[T],
    *,
    name: str,
    shown: Callable[[T], object],
    prepare: Callable[[list[T]], None] | None = None,
) -> list[SafeString]:
    """``template_name`` rendered for each of ``items`` (as ``name``), each
    from the cache if a fragment showing the same ``shown(item)`` was
    rendered before: one cache round trip for all of them, and only the
    items not cached are rendered, after ``prepare`` is called with them
    (to fetch what only rendering needs, such as photos).

    For a list whose items change one at a time (a cart after an add): the
    others are still served from the cache, and items that look the same
    on anyone's page (a product, once) share a fragment.
    """
    if settings.DEBUG:  # as render_fragment: nothing cached
        keys, found = [None] * len(items), {}
    else:
        keys = [_key(template_name, shown(item)) for item in items]
        found = _cached(keys)
    missing = [index for index, key in enumerate(keys) if key not in found]
    if missing and prepare is not None:
        prepare([items[index] for index in missing])
    rendered = {
        index: _render(template_name, {name: items[index]}) for index in missing
    }
    if rendered and not settings.DEBUG:
        _store({keys[index]: html for index, html in rendered.items()})
    htmls = [
        rendered[index] if index in rendered else found[key]
        for index, key in enumerate(keys)
    ]
    # One masked token for all of them, as a template's forms share one.
    csrf_field = (
        _csrf_field(request)
        if any(CSRF_PLACEHOLDER_INPUT in html for html in htmls)
        else None
    )
    return [_served(html, request, csrf_field) for html in htmls]


def _csrf_field(request: HttpRequest) -> str:
    """The request's token field, masked once per request and secret (as a
    template's ``csrf_token`` is masked once): a page's header and its own
    fragments share it. Masking costs 32 random characters; a token
    rotated since (sign-in) gets a field of its own."""
    made = getattr(request, "_fragments_csrf_field", None)
    if made is not None and made[0] == request.META.get("CSRF_COOKIE"):
        return made[1]
    field = format_html(_CSRF_INPUT, get_token(request))
    request._fragments_csrf_field = (request.META.get("CSRF_COOKIE"), field)
    return field


def with_csrf_token(
    html: str, request: HttpRequest, csrf_field: str | None = None
) -> str:
    """``html`` with each placeholder form field holding the request's token
    (``csrf_field``, that token's field, if already made)."""
    if CSRF_PLACEHOLDER_INPUT in html:
        html = html.replace(CSRF_PLACEHOLDER_INPUT, csrf_field or _csrf_field(request))
    return html
