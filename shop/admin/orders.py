"""Staff screens for orders: the order as placed and paid, its refunds,
parcels and timeline, and sending its confirmation again.

Changes to orders go through ``shop.services`` so they write the timeline
and send their emails; the admin only collects input. Making parcels from
an order is fulfilment's (``ShipmentsFromOrderMixin``).
"""

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from shop import services
from shop.models import Order, OrderEvent, OrderLine, Payment, Refund, Shipment
from shop.pricing import format_money

from .fulfilment import ShipmentsFromOrderMixin
from .inlines import ReadOnlyInline


class OrderLineInline(ReadOnlyInline):
    model = OrderLine
    fields = ["sku", "name", "unit_price", "quantity"]
    readonly_fields = fields


class PaymentInline(ReadOnlyInline):
    model = Payment
    fields = ["provider", "reference", "amount", "card_last4", "status", "created_at"]
    readonly_fields = fields


class RefundInline(ReadOnlyInline):
    """Each refund, how it was split over the tenders, and, for one the
    provider refused, its reason: what an agent needs to follow up."""

    model = Refund
    fields = [
        "created_at",
        "order_line",
        "amount",
        "tenders",
        "status",
        "failure_message",
        "reason",
        "actor",
    ]
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return (
            super()
            .get_queryset(request)
            .select_related("order_line", "actor")
            .prefetch_related("parts__payment")
        )

    @admin.display(description=_("to"))
    def tenders(self, refund: Refund) -> str:
        return ", ".join(
            _("%(tender)s %(amount)s")
            % {
                "tender": _("Store credit")
                if part.payment.provider == Payment.STORE_CREDIT
                else _("Card"),
                "amount": format_money(part.amount, part.payment.currency),
            }
            for part in refund.parts.all()
        )


class ShipmentInline(ReadOnlyInline):
    model = Shipment
    fields = [
        "link",
        "status",
        "carrier",
        "tracking_number",
        "shipped_at",
        "delivered_at",
    ]
    readonly_fields = fields
    show_change_link = True

    @admin.display(description=_("shipment"))
    def link(self, shipment: Shipment) -> str:
        url = reverse("admin:shop_shipment_change", args=[shipment.pk])
        return format_html('<a href="{}">#{}</a>', url, shipment.pk)


class OrderEventInline(ReadOnlyInline):
    model = OrderEvent
    fields = ["created_at", "kind", "shipment", "actor", "message"]
    readonly_fields = fields


class ConfirmationFilter(admin.SimpleListFilter):
    title = _("confirmation email")
    parameter_name = "confirmation"

    def lookups(self, request, model_admin):
        return [
            ("failing", _("Failing")),
            ("pending", _("Not sent yet")),
        ]

    def queryset(self, request, queryset):
        if self.value() == "failing":
            return queryset.filter(
                confirmation_sent_at=None, confirmation_failures__gt=0
            )
        if self.value() == "pending":
            return queryset.filter(confirmation_sent_at=None)
        return queryset


@admin.register(Order)
class OrderAdmin(ShipmentsFromOrderMixin, admin.ModelAdmin):
    list_display = [
        "number",
        "placed_at",
        "buyer",
        "status",
        "total_display",
        "ship_to_region",
    ]
    list_filter = [
        "status",
        ConfirmationFilter,
        "ship_to_hidden_from_buyer",
        "placed_at",
    ]
    list_select_related = ["buyer"]
    search_fields = ["id", "buyer__email", "email", "ship_to_name", "ship_to_phone"]
    date_hierarchy = "placed_at"
    inlines = [
        OrderLineInline,
        PaymentInline,
        RefundInline,
        ShipmentInline,
        OrderEventInline,
    ]
    actions = ["ship_everything_remaining", "send_confirmation_again"]
    readonly_fields = [
        "buyer", "cart", "status", "email", "currency", "subtotal", "shipping_fee",
        "total", "placed_at", "confirmation_sent_at", "confirmation_failures",
        "confirmation_error", "ship_to_hidden_from_buyer", "ship_to_display_name",
    ]  # fmt: skip
    fieldsets = [
        # When the confirmation went out: "I never got an email" has an answer.
        (
            None,
            {
                "fields": [
                    "buyer",
                    "email",
                    "status",
                    "placed_at",
                    "confirmation_sent_at",
                    # Why it has not gone out, when it failed for this order.
                    "confirmation_failures",
                    "confirmation_error",
                ]
            },
        ),
        (_("Money"), {"fields": ["currency", "subtotal", "shipping_fee", "total"]}),
        (
            _("Ship to"),
            {
                "fields": [
                    "ship_to_name",
                    "ship_to_country",
                    "ship_to_postal_code",
                    "ship_to_region",
                    "ship_to_city",
                    "ship_to_line1",
                    "ship_to_line2",
                    "ship_to_phone",
                    "ship_to_hidden_from_buyer",
                    "ship_to_display_name",
                ]
            },
        ),
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # orders are placed by checkout, never typed in

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    @admin.display(description=_("number"), ordering="id")
    def number(self, order: Order) -> str:
        return order.number

    @admin.display(description=_("total"), ordering="total")
    def total_display(self, order: Order) -> str:
        return format_money(order.total, order.currency)

    @admin.action(description=_("Send the confirmation email again"))
    def send_confirmation_again(self, request: HttpRequest, queryset: QuerySet) -> None:
        count = services.send_confirmations_again(orders=queryset)
        self.message_user(
            request,
            _("%(count)d confirmation(s) will be sent again; already sent ones are "
              "left alone.") % {"count": count},
        )  # fmt: skip
