"""Staff screens for wish lists. Lists are their owners' to change; staff
mostly look, so the list's address is shown only as a link to the address."""

from django.contrib import admin

from wishlist.models import WishList, WishListItem


class WishListItemInline(admin.TabularInline):
    model = WishListItem
    extra = 0
    fields = ["product", "desired_quantity", "purchased_quantity", "priority", "note"]
    readonly_fields = ["purchased_quantity"]
    raw_id_fields = ["product"]


@admin.register(WishList)
class WishListAdmin(admin.ModelAdmin):
    list_display = ["title", "owner", "occasion", "occasion_date", "visibility"]
    list_filter = ["visibility", "occasion"]
    list_select_related = ["owner"]
    search_fields = ["title", "owner__email", "owner__display_name"]
    raw_id_fields = ["owner", "address"]
    readonly_fields = ["share_token", "revealed_at", "created_at"]
    inlines = [WishListItemInline]
