from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from core.views import healthz
from shop.views.account import set_language

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    # Staff sign in through the site's login, which asks for their second
    # factor; the admin's own password-only form is never shown.
    path(
        "admin/login/",
        RedirectView.as_view(pattern_name="account_login", query_string=True),
    ),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    # Django's language switch, which also keeps a customer's choice.
    path("i18n/setlang/", set_language, name="set_language"),
    path("", include("wishlist.urls")),
    path("gifts/", include("gifts.urls")),
    path("help/", include("support.urls")),
    path("callbacks/", include("callbacks.urls")),
    path("", include("shop.urls")),
]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
