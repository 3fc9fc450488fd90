"""Orders, their lines, payments, shipments and timeline."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from phonenumber_field.modelfields import PhoneNumberField

from shop import regions

from .cart import Cart
from .catalog import Product, _localized

# Order numbers shown to people start here, so the first order isn't "1".
ORDER_NUMBER_OFFSET = 1000


class Order(models.Model):
    """A placed order, with a snapshot of where it ships.

    The shipping address may be **hidden from the buyer** (another app's
    feature, such as a gift to someone else's address, sets it so): the buyer
    then sees only ``ship_to_display_name`` and the region.
    """

    class Status(models.TextChoices):
        PLACED = "placed", _("Placed")
        PARTIALLY_SHIPPED = "partially_shipped", _("Partially shipped")
        SHIPPED = "shipped", _("Shipped")
        DELIVERED = "delivered", _("Delivered")

    buyer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="orders",
        verbose_name=_("buyer"),
    )
    # One order per cart: the key that makes checkout idempotent.
    cart = models.OneToOneField(
        Cart, on_delete=models.PROTECT, related_name="order", null=True, blank=True
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status, default=Status.PLACED
    )
    email = models.EmailField(_("email"))
    currency = models.CharField(_("currency"), max_length=3)
    subtotal = models.PositiveIntegerField(_("subtotal"))
    shipping_fee = models.PositiveIntegerField(_("shipping"))
    total = models.PositiveIntegerField(_("total"))

    ship_to_name = models.CharField(_("recipient"), max_length=120)
    ship_to_country = models.CharField(_("country"), max_length=2)
    ship_to_postal_code = models.CharField(_("postal code"), max_length=16)
    ship_to_region = models.CharField(_("prefecture / region"), max_length=80)
    ship_to_city = models.CharField(_("city"), max_length=120)
    ship_to_line1 = models.CharField(_("address line 1"), max_length=200)
    ship_to_line2 = models.CharField(_("address line 2"), max_length=200, blank=True)
    ship_to_phone = PhoneNumberField(_("phone"), blank=True)
    ship_to_hidden_from_buyer = models.BooleanField(
        _("address hidden from buyer"), default=False
    )
    ship_to_display_name = models.CharField(
        _("recipient as the buyer sees them"), max_length=120, blank=True
    )

    placed_at = models.DateTimeField(_("placed at"), auto_now_add=True, db_index=True)
    # Empty until the confirmation email is sent (shop.confirmations).
    confirmation_sent_at = models.DateTimeField(
        _("confirmation sent at"), null=True, blank=True, editable=False
    )
    # Sends of the confirmation that failed for this order alone (an email
    # that cannot be written), and the last error, for staff to see.
    confirmation_failures = models.PositiveSmallIntegerField(
        _("confirmation failures"), default=0, editable=False
    )
    confirmation_error = models.CharField(
        _("confirmation error"), max_length=500, blank=True, editable=False
    )

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        ordering = ["-placed_at", "-pk"]
        indexes = [
            models.Index(fields=["buyer", "-placed_at"]),
            # The confirmations still to send: a few rows, whatever the table.
            models.Index(
                fields=["id"],
                condition=Q(confirmation_sent_at__isnull=True),
                name="shop_order_confirmation_due",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(total=models.F("subtotal") + models.F("shipping_fee")),
                name="shop_order_total_adds_up",
            ),
        ]

    def __str__(self) -> str:
        return _("Order %(number)s") % {"number": self.number}

    def get_absolute_url(self) -> str:
        return reverse("shop:order_detail", kwargs={"pk": self.pk})

    @property
    def number(self) -> str:
        return str(ORDER_NUMBER_OFFSET + self.pk)

    @property
    def ship_to_region_display(self) -> str:
        return regions.region_label(self.ship_to_country, self.ship_to_region)

    @property
    def ship_to_country_display(self) -> str:
        return regions.country_name(self.ship_to_country)

    def buyer_destination(self) -> dict:
        """Where the order ships, as much as its buyer may see.

        Templates and emails for the buyer use this, never the ``ship_to_*``
        fields directly, so a hidden address cannot leak by accident.
        """
        if self.ship_to_hidden_from_buyer:
            return {
                "hidden": True,
                "name": self.ship_to_display_name,
                "region": self.ship_to_region_display,
                "country": self.ship_to_country_display,
            }
        return {
            "hidden": False,
            "name": self.ship_to_name,
            "postal_code": self.ship_to_postal_code,
            "region": self.ship_to_region_display,
            "city": self.ship_to_city,
            "line1": self.ship_to_line1,
            "line2": self.ship_to_line2,
            "country": self.ship_to_country_display,
            "phone": self.ship_to_phone,
        }


class OrderLine(models.Model):
    """One product in an order, with its name and price as they were."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+")
    sku = models.CharField(_("SKU"), max_length=32)
    name = models.CharField(_("name"), max_length=160)
    name_ja = models.CharField(_("name (Japanese)"), max_length=160, blank=True)
    unit_price = models.PositiveIntegerField(_("unit price"))
    quantity = models.PositiveIntegerField(_("quantity"))

    class Meta:
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gte=1), name="shop_orderline_quantity_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.name}"

    @property
    def subtotal(self) -> int:
        return self.unit_price * self.quantity

    @property
    def display_name(self) -> str:
        """The name as it was ordered, in the reader's language."""
        return _localized(self, "name")


class Payment(models.Model):
    """Money received for an order: a card charge, store credit, or both."""

    STORE_CREDIT = "store_credit"

    class Status(models.TextChoices):
        CAPTURED = "captured", _("Captured")
        REFUNDED = "refunded", _("Refunded")

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="payments")
    provider = models.CharField(_("provider"), max_length=40)
    reference = models.CharField(_("provider reference"), max_length=80, unique=True)
    amount = models.PositiveIntegerField(_("amount"))
    currency = models.CharField(_("currency"), max_length=3)
    card_last4 = models.CharField(_("card ending"), max_length=4, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")

    def __str__(self) -> str:
        return self.reference


class Shipment(models.Model):
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


class ShipmentLine(models.Model):
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


class OrderEvent(models.Model):
    """The order's timeline: who did what, and when."""

    class Kind(models.TextChoices):
        PLACED = "placed", _("Order placed")
        SHIPMENT_CREATED = "shipment_created", _("Shipment created")
        REPLACEMENT_CREATED = "replacement_created", _("Replacement created")
        SHIPPED = "shipped", _("Shipment shipped")
        DELIVERED = "delivered", _("Shipment delivered")
        REFUNDED = "refunded", _("Refunded")
        REFUND_FAILED = "refund_failed", _("Refund refused")

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="events")
    shipment = models.ForeignKey(
        Shipment, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    kind = models.CharField(max_length=20, choices=Kind)
    message = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.created_at:%Y-%m-%d %H:%M})"


class Refund(models.Model):
    """Money given back for (part of) an order line, to where it came from.

    Its ``parts`` say how much goes back to each tender (the card charge,
    store credit): an order paid partly with each may be refunded to both.
    A refund succeeds or fails as a whole; a failed one gives nothing back and
    keeps the provider's reason in ``failure_message``.
    """

    class Method(models.TextChoices):
        CARD = "card", _("Card")
        STORE_CREDIT = "store_credit", _("Store credit")
        SPLIT = "split", _("Card and store credit")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SUCCEEDED = "succeeded", _("Refunded")
        FAILED = "failed", _("Failed")

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="refunds")
    order_line = models.ForeignKey(
        OrderLine, on_delete=models.PROTECT, related_name="refunds"
    )
    quantity = models.PositiveIntegerField(_("quantity"))
    amount = models.PositiveIntegerField(_("amount"))
    method = models.CharField(_("method"), max_length=12, choices=Method)
    status = models.CharField(
        _("status"), max_length=10, choices=Status, default=Status.PENDING
    )
    # Makes refunding idempotent: a second request with it returns the first.
    reference = models.CharField(max_length=80, unique=True)
    reason = models.CharField(_("reason"), max_length=200)
    # Why the provider refused it, in its words, for the agent who follows up.
    failure_message = models.CharField(
        _("provider's message"), max_length=255, blank=True
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("refund")
        verbose_name_plural = _("refunds")
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gte=1, amount__gte=1),
                name="shop_refund_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference}: {self.amount}"


class RefundPart(models.Model):
    """The share of a refund that goes back to one tender: a card charge or
    the store credit an order was paid with. A tender is never given back
    more than it paid, across all the refunds that did not fail."""

    refund = models.ForeignKey(Refund, on_delete=models.CASCADE, related_name="parts")
    payment = models.ForeignKey(
        Payment,
        on_delete=models.PROTECT,
        related_name="refund_parts",
        verbose_name=_("payment"),
    )
    amount = models.PositiveIntegerField(_("amount"))
    # The provider's id for the money it sent back; empty for store credit.
    provider_reference = models.CharField(
        _("provider reference"), max_length=80, blank=True
    )

    class Meta:
        verbose_name = _("refund part")
        verbose_name_plural = _("refund parts")
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["refund", "payment"], name="shop_refundpart_one_per_tender"
            ),
            models.CheckConstraint(
                condition=Q(amount__gte=1), name="shop_refundpart_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.refund.reference} → {self.payment.reference}: {self.amount}"
