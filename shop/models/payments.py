"""Money for an order: what was paid with each tender, and what was given
back to it. The test provider's own books are ``provider_ledger``."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .orders import Order, OrderLine


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
