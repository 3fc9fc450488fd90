"""Staff screens for customers and their addresses."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _

from shop.models import Address, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "display_name", "phone", "is_staff", "date_joined"]
    search_fields = ["email", "display_name", "phone"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Profile"), {"fields": ["display_name", "phone"]}),
        (
            _("Permissions"),
            {"fields": ["is_active", "is_staff", "is_superuser", "groups"]},
        ),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]})
    ]


@admin.register(Address)
class AddressAdmin(admin.ModelAdmin):
    list_display = [
        "recipient_name",
        "user",
        "postal_code",
        "region_display",
        "city",
        "is_default",
    ]
    list_select_related = ["user"]
    search_fields = ["recipient_name", "user__email", "postal_code", "phone"]
    list_filter = ["country", "is_default"]
    raw_id_fields = ["user"]
    readonly_fields = ["written"]

    @admin.display(description=_("prefecture / region"), ordering="region")
    def region_display(self, address: Address) -> str:
        return address.region_display

    @admin.display(description=_("as written on the parcel"))
    def written(self, address: Address) -> str:
        return render_to_string(
            "shop/includes/address.html", {"address": address.postal}
        )
