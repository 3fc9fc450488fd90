"""Parcels: what of an order went (or goes) out, in which quantities."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.models import Model

from .orders import Order, OrderLine


class Shipment(Model):
    """A parcel: some or all of an order's lines, in given quantities."""

    class Status(models.TextChoices):
        PREPARING = "preparing", _("Preparing")
        SHIPPED = "shipped", _("Shipped")
        DELIVERED = "delivered", _("Delivered")

    class Reason(models.TextChoices):
        ORDER = "order", _("Order")
        REPLACEMENT = "replacement", _("Replacement")
        DOCUMENTS = "documents", _("Printed documents")

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="shipments")
    # Replacements and documents ship on top of the order: they don't count
    # towards what is left to ship, nor towards the order's status.
    reason = models.CharField(
        _("reason"), max_length=12, choices=Reason, default=Reason.ORDER
    )
    note = models.CharField(_("note"), max_length=255, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status, default=Status.PREPARING
    )
    carrier = models.CharField(_("carrier"), max_length=60, blank=True)
    tracking_number = models.CharField(_("tracking number"), max_length=60, blank=True)
    estimated_delivery = models.DateField(
        _("estimated delivery"), null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    shipped_at = models.DateTimeField(_("shipped at"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    # The staff form submission that made it: sent twice, it makes one parcel.
    submission_key = models.CharField(
        max_length=64, null=True, blank=True, editable=False
    )

    class Meta:
        verbose_name = _("shipment")
        verbose_name_plural = _("shipments")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["order", "submission_key"],
                name="shop_shipment_one_per_submission",
            ),
        ]

    def __str__(self) -> str:
        return _("Shipment %(id)s of order %(number)s") % {
            "id": self.pk,
            "number": self.order.number,
        }


class ShipmentLine(Model):
    shipment = models.ForeignKey(
        Shipment, on_delete=models.CASCADE, related_name="lines"
    )
    order_line = models.ForeignKey(
        OrderLine, on_delete=models.CASCADE, related_name="shipment_lines"
    )
    quantity = models.PositiveIntegerField(_("quantity"))

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["shipment", "order_line"], name="shop_shipmentline_unique"
            ),
            models.CheckConstraint(
                condition=Q(quantity__gte=1), name="shop_shipmentline_quantity_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.order_line.name}"
