"""Carts: a visitor's lives in their session, a customer's in their account."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.models import Model

from .catalog import Product


class Cart(Model):
    """A basket. It becomes ``ordered`` once, when its order is placed.

    The cart is also checkout's idempotency key: an order is bound one-to-one
    to the cart it came from, so a double click or a second tab finds the
    order the first one placed.
    """

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        MERGED = "merged", _("merged into another cart")
        ORDERED = "ordered", _("ordered")

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="carts",
    )
    status = models.CharField(max_length=10, choices=Status, default=Status.OPEN)
    # What the cart is for. Blank is the customer's everyday cart; another app
    # may open its own (a gift for someone's wish list) and check it out
    # through its own page, so those lines never mix with everyday shopping.
    purpose = models.CharField(max_length=64, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # One more with every change to the lines, in its transaction: checkout
    # places an order only while the version whose lines it checked stands.
    # Its charge's idempotency key names the version, so an attempt that
    # charged and failed moves it on too: the next attempt is a new charge.
    version = models.PositiveIntegerField(default=0, editable=False)
    # The form submission that opened a visitor's cart: the twin of a double
    # click by a visitor with no cart yet finds this cart instead of opening
    # a second one (``core.submissions``).
    submission_key = models.CharField(
        max_length=64, null=True, blank=True, unique=True, editable=False
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "purpose"],
                condition=Q(status="open"),
                name="shop_cart_one_open_per_owner_and_purpose",
            ),
        ]

    def __str__(self) -> str:
        return f"Cart {self.pk} ({self.status})"


class CartLine(Model):
    cart = models.ForeignKey(Cart, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="+")
    quantity = models.PositiveIntegerField(default=1)
    # The submission that last added units to this line: its twin adds none.
    # Checked under the cart's row lock, so no unique index is needed.
    submission_key = models.CharField(max_length=64, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["cart", "product"], name="shop_cartline_one_per_product"
            ),
            models.CheckConstraint(
                condition=Q(quantity__gte=1), name="shop_cartline_quantity_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.product_id}"

    @property
    def subtotal(self) -> int:
        return self.product.price * self.quantity
