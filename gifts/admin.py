"""Staff screens for gifts and gift returns.

Fulfilment staff see the shipping address on the order itself; here the
giver's address appears only when the giver chose to disclose it.
"""

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from gifts import services
from gifts.models import Gift, GiftLine, GiftReturn
from shop.admin import ReadOnlyInline


class GiftLineInline(ReadOnlyInline):
    model = GiftLine
    fields = ["order_line", "wishlist_item"]
    readonly_fields = fields


@admin.register(Gift)
class GiftAdmin(admin.ModelAdmin):
    list_display = ["__str__", "recipient", "sender", "created_at", "thanked_at"]
    list_select_related = ["order", "recipient"]
    search_fields = ["order__id", "recipient__email", "giver__email"]
    list_filter = ["shows_giver_name", "discloses_address"]
    readonly_fields = [
        "order_link", "wishlist", "giver", "recipient", "message", "shows_giver_name",
        "discloses_address", "giver_name", "giver_address", "thank_you_note",
        "thanked_at", "slips",
    ]  # fmt: skip
    fields = readonly_fields
    inlines = [GiftLineInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    @admin.display(description=_("sender as shown"))
    def sender(self, gift: Gift) -> str:
        return gift.sender_label

    @admin.display(description=_("order"))
    def order_link(self, gift: Gift) -> str:
        url = reverse("admin:shop_order_change", args=[gift.order_id])
        return format_html('<a href="{}">{}</a>', url, gift.order)

    @admin.display(description=_("gift receipts"))
    def slips(self, gift: Gift) -> str:
        links = [
            format_html(
                '<a href="{}" target="_blank">#{}</a> ',
                reverse("gifts:slip", args=[shipment.pk]),
                shipment.pk,
            )
            for shipment in gift.order.shipments.all()
        ]
        return format_html("".join(links)) if links else "—"


@admin.register(GiftReturn)
class GiftReturnAdmin(admin.ModelAdmin):
    list_display = ["__str__", "status", "recipient", "created_at", "credited_at"]
    list_filter = ["status", "kind"]
    list_select_related = ["gift_line__gift__recipient", "gift_line__order_line"]
    search_fields = ["gift_line__gift__recipient__email", "gift_line__order_line__sku"]
    readonly_fields = [
        "gift_line",
        "kind",
        "quantity",
        "reason",
        "status",
        "credit",
        "credited_at",
    ]
    fields = readonly_fields
    actions = ["receive_and_credit"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.display(description=_("recipient"))
    def recipient(self, gift_return: GiftReturn) -> str:
        return str(gift_return.gift_line.gift.recipient)

    @admin.action(description=_("Parcel received: credit the recipient's store credit"))
    def receive_and_credit(self, request: HttpRequest, queryset: QuerySet) -> None:
        for gift_return in queryset:
            services.receive_return(gift_return=gift_return, actor=request.user)
        self.message_user(
            request,
            _("%(count)d return(s) credited.") % {"count": queryset.count()},
            messages.SUCCESS,
        )
