import re

from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.generic import RedirectView

from core.metrics import metrics_view
from core.views import healthz, serve_media
from shop.views.account import set_language

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    # Prometheus, with a bearer token (core.metrics, docs/operations.md).
    path("metrics", metrics_view, name="metrics"),
    # The busiest first: Django tries these in order on every request, so
    # the shop's and the support path's pages (and the payment and call
    # webhooks) are found without first trying the admin's and allauth's.
    # No two of them share a path.
    path("", include("shop.urls")),
    path("help/", include("support.urls")),
    path("callbacks/", include("callbacks.urls")),
    path("", include("wishlist.urls")),
    path("gifts/", include("gifts.urls")),
    path("", include("privacy.urls")),
    # Django's language switch, which also keeps a customer's choice.
    path("i18n/setlang/", set_language, name="set_language"),
    # Staff sign in through the site's login, which asks for their second
    # factor; the admin's own password-only form is never shown.
    path(
        "admin/login/",
        RedirectView.as_view(pattern_name="account_login", query_string=True),
    ),
    path("admin/privacy/", include("privacy.urls_staff")),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
]

if settings.SERVE_MEDIA:
    # Run mode and the browser tests: this process serves the photos it
    # stores. Production stores them in a bucket behind a CDN instead.
    urlpatterns += [
        re_path(
            r"^{}(?P<path>.*)$".format(re.escape(settings.MEDIA_URL.lstrip("/"))),
            serve_media,
        )
    ]
