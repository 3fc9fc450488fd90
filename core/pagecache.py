"""Whole pages for visitors who are not signed in, kept in the shared cache.

On sale day most requests for the busiest pages (a catalog, a published
list) come from people who are not signed in, and every one of them is shown
the same page. Such a page is rendered once and then served from Redis until
something it shows changes.

What a page shows is named by *scopes*, strings the apps choose (say
``"catalog"``, or ``"product:<slug>"`` for one product's page). Each scope
has a random version in Redis; a page is served from the cache only while the
versions it was rendered with are still current. Code that changes what a
scope shows calls :func:`changed`, which draws new versions when the
transaction commits: each app does so from signals on ``save()`` and
``delete()`` of its models (so the admin does too) and from the services
that change rows with ``update()``. A change made around all of that (a bulk
``update()`` in a shell, raw SQL) shows within ``SECONDS``, when the page
expires.

Only a request without a session or messages cookie is served or stored: no
user, cart or message can be in it. The page is stored with a placeholder
instead of the CSRF token and of each form's submission key, and each
visitor gets their own token and new keys each time (``core.submissions``:
a key served twice would make a second, wanted submission look like a
double click). The key holds
the path with its query, the host, the language, the settings pages show
(``CORE_CACHE_VARY_ON_SETTINGS``, such as the currency) and a digest of the
templates, translations and static files, so a deploy never serves the old
markup. With DEBUG (``make run``) nothing is cached.
"""

import hashlib
import secrets
from collections.abc import Callable
from functools import wraps
from typing import TypeVar

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils.translation import get_language

from core import submissions
from core.fragments import (
    CSRF_INPUT_PATTERN,
    CSRF_PLACEHOLDER_INPUT,
    deploy_digest,
    shown_settings,
    with_csrf_token,
)

# The longest a change made around changed() stays unseen; the pages anyone
# visits are rendered again this often at most, which costs nothing.
SECONDS = 60

T = TypeVar("T")


def changed(*scopes: str) -> None:
    """Pages showing any of ``scopes`` are stale once the transaction
    commits (at once outside one). Not before: a page rendered meanwhile by
    another request reads the rows as they were, and would be stored under
    the new versions."""

    def bump() -> None:
        cache.set_many(
            {_scope_key(scope): secrets.token_hex(8) for scope in scopes}, timeout=None
        )

    transaction.on_commit(bump)


def for_visitors(*scopes: str) -> Callable:
    """Cache the view's page for visitors who are not signed in.

    ``scopes`` name what the page shows; ``{name}`` in a scope is the view's
    URL argument of that name: ``for_visitors("catalog", "product:{slug}")``.
    For views whose page depends only on the URL and the language, that
    write nothing to the session and add no message.
    """

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if not _cacheable(request):
                return view(request, *args, **kwargs)
            names = [_scope_key(scope.format(**kwargs)) for scope in scopes]
            key = _page_key(request)
            found = cache.get_many([key, *names])
            versions = {name: found.get(name) for name in names}
            page = found.get(key)
            if page is not None and page["versions"] == versions:
                return _serve(request, page)
            # Versions are read before rendering: a change committed while
            # the page renders leaves it stored under the old ones, unused.
            versions = _drawn(versions)
            response = view(request, *args, **kwargs)
            if _storable(request, response):
                content = CSRF_INPUT_PATTERN.sub(
                    CSRF_PLACEHOLDER_INPUT, response.content.decode(response.charset)
                )
                content = submissions.without_keys(content)
                cache.set(
                    key,
                    {
                        "versions": versions,
                        "content": content,
                        "content_type": response["Content-Type"],
                    },
                    SECONDS,
                )
            return response

        return wrapper

    return decorator


def kept(scope: str, name: str, compute: Callable[[], T]) -> T:
    """``compute()``, kept in the shared cache while ``scope`` shows the
    same (``changed``), for at most ``SECONDS``: for a value that many
    pages show alike and that costs a query to compute, such as how many
    products the catalog has (a count of 200,000 rows takes 15 ms). Signed
    in or not. ``name`` tells the values of one scope apart. With DEBUG
    (``make run``) it is computed every time, as pages are rendered."""
    if settings.DEBUG:
        return compute()
    version_key, key = _scope_key(scope), f"pagecache:value:{scope}:{name}"
    found = cache.get_many([version_key, key])
    version, value = found.get(version_key), found.get(key)
    if value is not None and version is not None and value[0] == version:
        return value[1]
    # As for a page: the version read before computing, so that a change
    # committed meanwhile leaves the value stored under the old one, unused.
    version = _drawn({version_key: version})[version_key]
    computed = compute()
    cache.set(key, (version, computed), SECONDS)
    return computed


def _drawn(versions: dict[str, str | None]) -> dict[str, str]:
    """``versions`` (scope keys to their versions as read), each scope
    without one given a version first."""
    if None not in versions.values():
        return versions
    for name in versions:
        cache.add(name, secrets.token_hex(8), timeout=None)
    return cache.get_many(list(versions))


def _cacheable(request: HttpRequest) -> bool:
    return (
        not settings.DEBUG
        and request.method in ("GET", "HEAD")
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and CookieStorage.cookie_name not in request.COOKIES
    )


def _storable(request: HttpRequest, response: HttpResponse) -> bool:
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and not request.session.modified
        and response["Content-Type"].startswith("text/html")
    )


def _serve(request: HttpRequest, page: dict) -> HttpResponse:
    content = submissions.with_fresh_keys(with_csrf_token(page["content"], request))
    return HttpResponse(content, content_type=page["content_type"])


def _scope_key(scope: str) -> str:
    return f"pagecache:scope:{scope}"


def _page_key(request: HttpRequest) -> str:
    digest = hashlib.blake2b(
        "\0".join(
            (
                request.scheme,
                request.get_host(),
                request.get_full_path(),
                get_language(),
                *map(str, shown_settings()),
                deploy_digest(),
            )
        ).encode(),
        digest_size=16,
    ).hexdigest()
    return f"pagecache:page:{digest}"
