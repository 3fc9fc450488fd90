"""The URLconf: every named page is reached at its own address, whatever
order ``config/urls.py`` lists the apps in (it lists the busiest first)."""

from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.urls.resolvers import RegexPattern

from core.middleware import admin_root

# A value each of Django's path converters accepts.
SAMPLES = {
    "IntConverter": 7,
    "SlugConverter": "a-slug",
    "StringConverter": "token",
    "UUIDConverter": "12345678-1234-5678-1234-567812345678",
    "PathConverter": "a/b",
}


# Taken over on purpose: staff sign in through the site's login, which asks
# for their second factor, never through the admin's own form.
SHADOWED_ON_PURPOSE = {"/admin/login/": "admin:login"}


def named_routes(patterns, namespace=""):
    """(name, its converters) of every named route written with ``path()``
    (a ``re_path()`` one, such as the admin's app index, has no converters
    to sample)."""
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = (
                f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            )
            converters = getattr(pattern.pattern, "converters", {})
            for name, kinds in named_routes(pattern.url_patterns, inner):
                yield name, {**converters, **kinds}
        elif (
            isinstance(pattern, URLPattern)
            and pattern.name
            and not (
                isinstance(pattern.pattern, RegexPattern)
                and pattern.pattern.regex.groups
            )
        ):
            yield (
                f"{namespace}{pattern.name}",
                getattr(pattern.pattern, "converters", {}),
            )


def sample(converter) -> object:
    return SAMPLES[type(converter).__name__]


def test_every_named_route_resolves_to_itself():
    shadowed = {}
    routes = list(named_routes(get_resolver().url_patterns))
    for name, converters in routes:
        path = reverse(name, kwargs={k: sample(c) for k, c in converters.items()})
        if (found := resolve(path).view_name) != name:
            shadowed[path] = (name, found)
    assert shadowed == {
        path: (name, "django.views.generic.base.RedirectView")
        for path, name in SHADOWED_ON_PURPOSE.items()
    }
    assert len(routes) > 100


def test_the_shops_pages_are_not_shadowed_by_allauths():
    assert resolve("/accounts/profile/").view_name == "shop:profile"
    assert resolve("/accounts/login/").view_name == "account_login"


def test_the_admin_root_is_the_admins_index():
    assert admin_root() == reverse("admin:index") == "/admin/"
