"""Staff screens for orders: the order as placed and paid, its payments and
the provider's events about them, its refunds, parcels and timeline;
checking or cancelling an unpaid order, and sending its confirmation again.

Changes to orders go through ``shop.services`` so they write the timeline
and send their emails; the admin only collects input. Making parcels from
an order is fulfilment's (``ShipmentsFromOrderMixin``).
"""

import datetime

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db.models import QuerySet
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from core.paginators import EstimatedCountPaginator
from core.text import fill
from shop import payments, services
from shop.images import with_first_image
from shop.models import Order, OrderEvent, OrderLine, Payment, Refund, Shipment
from shop.pricing import format_money

from .catalog import product_thumbnail
from .fulfilment import ShipmentsFromOrderMixin
from .inlines import ReadOnlyInline
from .payments import PaymentInline, order_payment_events


class OrderLineInline(ReadOnlyInline):
    model = OrderLine
    fields = ["thumbnail", "sku", "name", "unit_price", "quantity"]
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        # Each line's product and first photo: two queries for any order.
        return (
            super()
            .get_queryset(request)
            .select_related("product")
            .prefetch_related(with_first_image("product__images"))
        )

    @admin.display(description=_("thumbnail"))
    def thumbnail(self, line: OrderLine) -> str:
        return product_thumbnail(line.product)


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
        return refund_tenders(refund)


def refund_tenders(refund: Refund) -> str:
    """Where a refund goes, part by part: the tender, how much, and the
    provider's id for the money it sent back (none for store credit, or for
    a refund that has not gone through). Reads ``refund.parts.all()``:
    prefetch ``parts__payment``."""
    said = []
    for part in refund.parts.all():
        tender = (
            _("Store credit")
            if part.payment.provider == Payment.STORE_CREDIT
            else _("Card")
        )
        amount = format_money(part.amount, part.payment.currency)
        text = _("%(tender)s %(amount)s") % {"tender": tender, "amount": amount}
        if part.provider_reference:
            text = f"{text} ({part.provider_reference})"
        said.append(text)
    return ", ".join(said)


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


class PaymentFilter(admin.SimpleListFilter):
    """The orders whose money needs a look: waiting for the provider (and
    longer than allowed, which the sweep should have closed), and those
    with a refund the provider refused."""

    title = _("payment")
    parameter_name = "payment"

    def lookups(self, request, model_admin):
        return [
            ("awaiting", _("Awaiting payment")),
            ("overdue", _("Awaiting payment too long")),
            ("refund_failed", _("A refund was refused")),
        ]

    def queryset(self, request, queryset):
        awaiting = queryset.filter(status=Order.Status.AWAITING_PAYMENT)
        if self.value() == "awaiting":
            return awaiting
        if self.value() == "overdue":
            return awaiting.filter(placed_at__lt=_payment_deadline_start())
        if self.value() == "refund_failed":
            return queryset.filter(
                pk__in=Refund.objects.filter(status=Refund.Status.FAILED).values(
                    "order_id"
                )
            )
        return queryset


def _payment_deadline_start() -> datetime.datetime:
    """Orders made before this have waited longer than SHOP_PAYMENT_MINUTES."""
    return timezone.now() - datetime.timedelta(minutes=settings.SHOP_PAYMENT_MINUTES)


@admin.register(Order)
class OrderAdmin(ShipmentsFromOrderMixin, admin.ModelAdmin):
    list_display = [
        "number",
        "placed_at",
        "buyer",
        "status",
        "total_display",
        "ship_to_region_display",
    ]
    list_filter = [
        "status",
        PaymentFilter,
        ConfirmationFilter,
        "ship_to_hidden_from_buyer",
        "placed_at",
    ]
    list_select_related = ["buyer"]
    # A provider's id (a session, a PaymentIntent) finds its order.
    search_fields = [
        "id", "buyer__email", "email", "ship_to_name", "ship_to_phone",
        "=payments__session_id", "=payments__reference",
    ]  # fmt: skip
    # No date hierarchy: its year links are a DISTINCT over every order (a
    # million: 210 ms a page view); the "placed at" filter narrows by date.
    # One exact COUNT at most (none on the unfiltered list: its estimate),
    # not a second one for "N total" (issue #19, docs/benchmarks.md).
    show_full_result_count = False
    paginator = EstimatedCountPaginator
    inlines = [
        OrderLineInline,
        PaymentInline,
        RefundInline,
        ShipmentInline,
        OrderEventInline,
    ]
    actions = [
        "ship_everything_remaining",
        "send_confirmation_again",
        "check_payment",
        "cancel_unpaid",
    ]
    readonly_fields = [
        "buyer", "cart", "status", "email", "currency", "subtotal", "shipping_fee",
        "total", "placed_at", "confirmation_sent_at", "confirmation_failures",
        "confirmation_error", "ship_to_hidden_from_buyer", "ship_to_display_name",
        "payment_state", "payment_events", "ship_to_written",
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
        # The payments themselves, with their provider ids, are inlines below.
        (_("Payment"), {"fields": ["payment_state", "payment_events"]}),
        (
            _("Ship to"),
            {
                "fields": [
                    "ship_to_written",
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

    def get_readonly_fields(self, request: HttpRequest, obj=None) -> list[str]:
        # An address removed after delivery (shop.services.forget_destinations)
        # is not typed back in: a new parcel needs a new order.
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and obj.ship_to_forgotten_at is not None:
            fields += [
                "ship_to_name", "ship_to_country", "ship_to_postal_code",
                "ship_to_region", "ship_to_city", "ship_to_line1", "ship_to_line2",
                "ship_to_phone",
            ]  # fmt: skip
        return fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # orders are placed by checkout, never typed in

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    @admin.display(description=_("number"), ordering="id")
    def number(self, order: Order) -> str:
        return order.number

    @admin.display(description=_("prefecture / region"), ordering="ship_to_region")
    def ship_to_region_display(self, order: Order) -> str:
        return order.ship_to_region_display

    @admin.display(description=_("as written on the parcel"))
    def ship_to_written(self, order: Order) -> str:
        # Once removed, what is left (country and region) and when it went.
        written = render_to_string(
            "shop/includes/address.html", {"address": order.ship_to}
        )
        if order.ship_to_forgotten_at is None:
            return written
        return format_html(
            "{}<p>{}</p>",
            written,
            render_to_string(
                "shop/includes/address_removed.html",
                {"removed_at": order.ship_to_forgotten_at},
            ),
        )

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

    # --- Payment ------------------------------------------------------------

    @admin.display(description=_("payment state"))
    def payment_state(self, order: Order) -> str:
        if order.status == Order.Status.AWAITING_PAYMENT:
            deadline = order.placed_at + datetime.timedelta(
                minutes=settings.SHOP_PAYMENT_MINUTES
            )
            return _(
                "Awaiting payment at the provider. If it is not paid by %(deadline)s "
                "it is cancelled: the order list's actions check or cancel it now."
            ) % {"deadline": formats.localize(timezone.localtime(deadline))}
        if order.status == Order.Status.CANCELLED:
            return _(
                "Cancelled unpaid: its stock and store credit went back. A payment "
                "that arrives late is refunded automatically."
            )
        return fill(
            _("Paid: placed %(placed_at)s."),
            {"placed_at": formats.localize(timezone.localtime(order.placed_at))},
        )

    @admin.display(description=_("provider's events"))
    def payment_events(self, order: Order) -> str:
        return order_payment_events(order)

    @admin.action(
        description=_("Check payment with the provider"), permissions=["change"]
    )
    def check_payment(self, request: HttpRequest, queryset: QuerySet) -> None:
        """Ask the provider how each order's payment stands, and settle it if
        it has ended (``services.refresh_payment``), as the customer's return
        page does. Safe twice: settling is idempotent on the order, and each
        order is reported as it stands, whoever settled it."""
        for order in queryset.order_by("pk"):
            self._with_provider(request, order, services.refresh_payment)

    @admin.action(description=_("Cancel unpaid order"), permissions=["change"])
    def cancel_unpaid(self, request: HttpRequest, queryset: QuerySet):
        """Close each order's payment at the provider and cancel the order
        (``services.close_payment``), after a confirmation page; an order
        paid meanwhile stays placed. Safe twice: the service acts only on an
        order still awaiting payment, under its lock, and the twin is told
        what the order is now."""
        orders = list(queryset.order_by("pk"))
        awaiting = Order.Status.AWAITING_PAYMENT
        if not request.POST.get("confirmed"):
            context = {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": _("Cancel unpaid orders?"),
                "awaiting": [o for o in orders if o.status == awaiting],
                "others": [o for o in orders if o.status != awaiting],
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            }
            return TemplateResponse(
                request, "admin/shop/order/confirm_cancel_unpaid.html", context
            )
        for order in orders:
            self._with_provider(
                request,
                order,
                lambda *, order: services.close_payment(
                    order=order, actor=request.user
                ),
            )
        return None

    def _with_provider(self, request: HttpRequest, order: Order, verb) -> None:
        """``verb`` on an order awaiting payment (others are left alone), then
        a message with how the order stands now."""
        if order.status == Order.Status.AWAITING_PAYMENT:
            try:
                order = verb(order=order)
            except payments.ProviderUnavailable:
                self.message_user(
                    request,
                    _("%(order)s: the payment provider could not be reached; "
                      "try again shortly.") % {"order": order},
                    messages.WARNING,
                )  # fmt: skip
                return
        if order.status == Order.Status.AWAITING_PAYMENT:
            said, level = _("%(order)s is still awaiting payment."), messages.INFO
        elif order.status == Order.Status.CANCELLED:
            said, level = _("%(order)s is cancelled."), messages.INFO
        else:
            said, level = _("%(order)s is paid."), messages.SUCCESS
        self.message_user(request, said % {"order": order}, level)
