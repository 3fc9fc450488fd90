"""Staff screens for fulfilment: making parcels from an order, and moving
them on (shipped, delivered).

Each change goes through ``shop.services`` so it writes the timeline and
sends its emails; these screens only collect input.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from core import submissions
from shop import selectors, services
from shop.exceptions import FulfilmentError, NothingLeftToShip
from shop.models import Order, OrderLine, Shipment, ShipmentLine

from .inlines import ReadOnlyInline


class ShipmentsFromOrderMixin:
    """The order screen's ways to make parcels: an action that ships what is
    left of each chosen order, and a page that chooses how many of each line
    go into a new parcel (``admin:shop_order_ship``)."""

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
