"""Orders, their lines and their timeline.

What was paid and given back is in ``payments``; the parcels in
``shipments``.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from phonenumber_field.modelfields import PhoneNumberField

from core.models import Model
from shop import addresses, regions

from .cart import Cart
from .catalog import Product, _localized

# Order numbers shown to people start here, so the first order isn't "1".
ORDER_NUMBER_OFFSET = 1000


class Order(Model):
    """A placed order, with a snapshot of where it ships.

    The shipping address may be **hidden from the buyer** (another app's
    feature, such as a gift to someone else's address, sets it so): the buyer
    then sees only ``ship_to_display_name`` and the region.
    """

    class Status(models.TextChoices):
        # Created with its stock and store credit held, until the payment
        # provider confirms the card part (``shop.services.payments``).
        AWAITING_PAYMENT = "awaiting_payment", _("Awaiting payment")
        PLACED = "placed", _("Placed")
        PARTIALLY_SHIPPED = "partially_shipped", _("Partially shipped")
        SHIPPED = "shipped", _("Shipped")
        DELIVERED = "delivered", _("Delivered")
        # The payment failed or was abandoned: the stock and store credit it
        # held went back.
        CANCELLED = "cancelled", _("Cancelled")

    # An order in these states is not (or not yet) a sale: nothing ships,
    # no confirmation goes out, no case can be filed.
    UNPAID = (Status.AWAITING_PAYMENT, Status.CANCELLED)

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
    # When the name, street lines, city, postal code and phone were removed
    # once no longer needed (``shop.services.forget_destinations``); the
    # country and region stay, for the books and "shipped to Kyoto".
    ship_to_forgotten_at = models.DateTimeField(
        _("address removed at"), null=True, blank=True, editable=False
    )

    # When the order was made; set again to the moment the payment settled,
    # so an order is "placed" when it was paid for.
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
    def is_paid(self) -> bool:
        return self.status not in self.UNPAID

    @property
    def number(self) -> str:
        return str(ORDER_NUMBER_OFFSET + self.pk)

    @property
    def status_adds_to_date(self) -> bool:
        """Does the status say more than the date line ("Ordered <date>")
        beside it? Not while it is only "Placed": the page would say it
        twice ("Placed … · Placed")."""
        return self.status != self.Status.PLACED

    @property
    def hidden_recipient_label(self) -> str:
        """Whom an order shipping to an address hidden from its buyer is for,
        as its buyer's order list marks it ("Gift for Aiko & Ren"): the name
        the buyer may see, never where; empty for an order to the buyer's
        own address. Read from the order's row: no query per order."""
        if not self.ship_to_hidden_from_buyer:
            return ""
        return _("Gift for %(name)s") % {"name": self.ship_to_display_name}

    @property
    def ship_to_region_display(self) -> str:
        return regions.region_label(self.ship_to_country, self.ship_to_region)

    @property
    def ship_to_country_display(self) -> str:
        return regions.country_name(self.ship_to_country)

    @property
    def ship_to(self) -> addresses.PostalAddress:
        """The whole shipping address, for staff and fulfilment only; the
        buyer's pages use ``buyer_destination()``."""
        return addresses.PostalAddress(
            name=self.ship_to_name,
            country=self.ship_to_country,
            postal_code=self.ship_to_postal_code,
            region=self.ship_to_region,
            city=self.ship_to_city,
            line1=self.ship_to_line1,
            line2=self.ship_to_line2,
        )

    def buyer_destination(self) -> dict:
        """Where the order ships, as much as its buyer may see.

        Templates and emails for the buyer use this, never the ``ship_to_*``
        fields directly, so a hidden address cannot leak by accident. Its
        ``address`` is what ``shop/includes/address.html`` writes: for a
        hidden address, a ``PostalAddress`` with only the display name, the
        region and the country.
        """
        if self.ship_to_hidden_from_buyer:
            return {
                "hidden": True,
                "forgotten_at": self.ship_to_forgotten_at,
                "address": addresses.PostalAddress(
                    name=self.ship_to_display_name,
                    country=self.ship_to_country,
                    region=self.ship_to_region,
                ),
                "name": self.ship_to_display_name,
                "region": self.ship_to_region_display,
                "country": self.ship_to_country_display,
            }
        return {
            "hidden": False,
            "forgotten_at": self.ship_to_forgotten_at,
            "address": self.ship_to,
            "name": self.ship_to_name,
            "postal_code": self.ship_to_postal_code,
            "region": self.ship_to_region_display,
            "city": self.ship_to_city,
            "line1": self.ship_to_line1,
            "line2": self.ship_to_line2,
            "country": self.ship_to_country_display,
            "phone": self.ship_to_phone,
        }


class OrderLine(Model):
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


class OrderEvent(Model):
    """The order's timeline: who did what, and when."""

    class Kind(models.TextChoices):
        PLACED = "placed", _("Order placed")
        AWAITING_PAYMENT = "awaiting_payment", _("Waiting for payment")
        PAID = "paid", _("Payment received")
        CANCELLED = "cancelled", _("Order cancelled")
        LATE_PAYMENT_REFUNDED = "late_refunded", _("Late payment refunded")
        SHIPMENT_CREATED = "shipment_created", _("Shipment created")
        REPLACEMENT_CREATED = "replacement_created", _("Replacement created")
        SHIPPED = "shipped", _("Shipment shipped")
        DELIVERED = "delivered", _("Shipment delivered")
        REFUNDED = "refunded", _("Refunded")
        REFUND_FAILED = "refund_failed", _("Refund refused")

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="events")
    # By name: the shipments module builds on this one.
    shipment = models.ForeignKey(
        "Shipment", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
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
