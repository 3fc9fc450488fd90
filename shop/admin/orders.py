"""Staff screens: catalog and stock, customers, orders and fulfilment.

Changes to orders go through ``shop.services`` so they write the timeline
and send their emails; the admin only collects input.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from core import submissions
from shop import selectors, services
from shop.exceptions import FulfilmentError, NothingLeftToShip
from shop.models import (
    Address,
    Category,
    Order,
    OrderEvent,
    OrderLine,
    Payment,
    Product,
    Refund,
    Shipment,
    ShipmentLine,
    User,
)
from shop.pricing import format_money


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
        "region",
        "city",
        "is_default",
    ]
    list_select_related = ["user"]
    search_fields = ["recipient_name", "user__email", "postal_code", "phone"]
    list_filter = ["country", "is_default"]
    raw_id_fields = ["user"]


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "name_ja", "slug", "position"]
    list_editable = ["position"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = [
        "sku",
        "name",
        "category",
        "price_display",
        "stock_on_hand",
        "is_active",
    ]
    list_editable = ["stock_on_hand", "is_active"]
    list_filter = ["is_active", "category"]
    list_select_related = ["category"]
    search_fields = ["sku", "name", "name_ja"]
    prepopulated_fields = {"slug": ["name"]}
    list_per_page = 50
    # A manual's URL typed without a scheme means https (Django 6's default).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    @admin.display(description=_("price"), ordering="price")
    def price_display(self, product: Product) -> str:
        return format_money(product.price)


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


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
class OrderAdmin(admin.ModelAdmin):
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

    @admin.action(description=_("Create a shipment with everything not yet shipped"))
    def ship_everything_remaining(
        self, request: HttpRequest, queryset: QuerySet
    ) -> None:
        created = 0
        for order in queryset:
            try:
                services.create_shipment_for_remaining(order=order, actor=request.user)
                created += 1
            except NothingLeftToShip as error:
                # Also what a second click hears: nothing went wrong.
                self.message_user(request, f"{order}: {error.message}", messages.INFO)
            except FulfilmentError as error:
                self.message_user(
                    request, f"{order}: {error.message}", level=messages.WARNING
                )
        if created:
            self.message_user(
                request, _("%(count)d shipment(s) created.") % {"count": created}
            )

    @admin.action(description=_("Send the confirmation email again"))
    def send_confirmation_again(self, request: HttpRequest, queryset: QuerySet) -> None:
        count = services.send_confirmations_again(orders=queryset)
        self.message_user(
            request,
            _("%(count)d confirmation(s) will be sent again; already sent ones are "
              "left alone.") % {"count": count},
        )  # fmt: skip

    def get_urls(self):
        return [
            path(
                "<int:order_id>/ship/",
                self.admin_site.admin_view(self.create_shipment_view),
                name="shop_order_ship",
            ),
            *super().get_urls(),
        ]

    def create_shipment_view(self, request: HttpRequest, order_id: int) -> HttpResponse:
        """Choose how many of each line go into a new parcel."""
        order = get_object_or_404(Order, pk=order_id)
        if not self.has_change_permission(request, order):
            raise PermissionDenied
        remaining = selectors.unshipped_quantities(order)
        lines = [line for line in order.lines.all() if remaining[line.pk]]
        form = ShipmentForm(request.POST or None, lines=lines, remaining=remaining)
        key = submissions.key_from(request.POST) if request.method == "POST" else ""
        if request.method == "POST" and key:
            # The twin of a submission that made its parcel: that parcel. The
            # form is not checked: the first one took the units it offers.
            made = order.shipments.filter(submission_key=key).first()
            if made is not None:
                return self._shipment_created(request, made)
        if request.method == "POST" and form.is_valid():
            try:
                shipment = services.create_shipment(
                    order=order,
                    quantities=form.quantities(),
                    actor=request.user,
                    carrier=form.cleaned_data["carrier"],
                    submission_key=key,
                )
            except FulfilmentError as error:
                form.add_error(None, error.message)
            else:
                return self._shipment_created(request, shipment)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "order": order,
            "form": form,
            "submission_key": key,
            "title": _("Create a shipment for %(order)s") % {"order": order},
        }
        return TemplateResponse(
            request, "admin/shop/order/create_shipment.html", context
        )

    def _shipment_created(
        self, request: HttpRequest, shipment: Shipment
    ) -> HttpResponseRedirect:
        self.message_user(request, _("Shipment created."))
        return HttpResponseRedirect(
            reverse("admin:shop_shipment_change", args=[shipment.pk])
        )


class ShipmentForm(forms.Form):
    carrier = forms.CharField(label=_("Carrier"), required=False, initial="Hoshii Post")

    def __init__(
        self, *args, lines: list[OrderLine], remaining: dict[int, int], **kwargs
    ):
        super().__init__(*args, **kwargs)
        self.line_fields = []
        for line in lines:
            name = f"line_{line.pk}"
            self.fields[name] = forms.IntegerField(
                label=f"{line.name} ({line.sku})",
                min_value=0,
                max_value=remaining[line.pk],
                initial=remaining[line.pk],
                help_text=_("%(count)d left to ship") % {"count": remaining[line.pk]},
            )
            self.line_fields.append((line.pk, name))

    def quantities(self) -> dict[int, int]:
        return {pk: self.cleaned_data[name] for pk, name in self.line_fields}


class ShipmentLineInline(ReadOnlyInline):
    model = ShipmentLine
    fields = ["order_line", "quantity"]
    readonly_fields = fields


@admin.register(Shipment)
class ShipmentAdmin(admin.ModelAdmin):
    list_display = [
        "__str__",
        "order",
        "status",
        "carrier",
        "tracking_number",
        "shipped_at",
    ]
    list_filter = ["status", "carrier"]
    list_select_related = ["order"]
    search_fields = ["order__id", "tracking_number", "order__buyer__email"]
    readonly_fields = [
        "order",
        "status",
        "shipped_at",
        "delivered_at",
        "estimated_delivery",
    ]
    fields = [
        "order",
        "status",
        "carrier",
        "tracking_number",
        "estimated_delivery",
        "shipped_at",
        "delivered_at",
    ]
    inlines = [ShipmentLineInline]
    actions = ["mark_shipped", "mark_delivered"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # made from an order's "Create shipment" page

    @admin.action(description=_("Mark shipped (emails the customer)"))
    def mark_shipped(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._apply(request, queryset, services.mark_shipped)

    @admin.action(description=_("Mark delivered"))
    def mark_delivered(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._apply(request, queryset, services.mark_delivered)

    def _apply(self, request: HttpRequest, queryset: QuerySet, verb) -> None:
        done = 0
        for shipment in queryset.select_related("order"):
            try:
                verb(shipment=shipment, actor=request.user)
                done += 1
            except FulfilmentError as error:
                self.message_user(
                    request, f"{shipment}: {error.message}", messages.WARNING
                )
        if done:
            self.message_user(
                request, _("%(count)d shipment(s) updated.") % {"count": done}
            )
