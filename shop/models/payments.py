"""Money for an order: what was paid with each tender, and what was given
back to it. The test provider's own books are ``provider_ledger``."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.models import Model

from .orders import Order, OrderLine


class Payment(Model):
    """Money for an order from one tender: a card payment through the
    payment provider, or store credit.

    A card payment starts ``pending``, with the provider's checkout session
    (``session_id``, the hosted page at ``checkout_url``), and is settled by
    the provider's word: ``captured`` with the provider's id for the money
    (``reference``, where refunds go), or ``failed`` when the session
    expired or the payment failed. Store credit is ``captured`` at once and
    ``cancelled`` (given back) if the order is.
    """

    STORE_CREDIT = "store_credit"

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting payment")
        CAPTURED = "captured", _("Captured")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Given back")
        REFUNDED = "refunded", _("Refunded")

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="payments")
    provider = models.CharField(_("provider"), max_length=40)
    # The provider's id for the money (a Stripe PaymentIntent); empty until
    # it is paid.
    reference = models.CharField(
        _("provider reference"), max_length=80, unique=True, null=True, blank=True
    )
    # The provider's checkout session: the hosted page the customer pays on.
    session_id = models.CharField(_("checkout session"), max_length=80, blank=True)
    checkout_url = models.URLField(_("payment page"), max_length=800, blank=True)
    amount = models.PositiveIntegerField(_("amount"))
    currency = models.CharField(_("currency"), max_length=3)
    card_last4 = models.CharField(_("card ending"), max_length=4, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status)
    failure_message = models.CharField(
        _("provider's message"), max_length=255, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    settled_at = models.DateTimeField(_("settled at"), null=True, blank=True)

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "session_id"],
                condition=~Q(session_id=""),
                name="shop_payment_one_per_session",
            ),
        ]

    def __str__(self) -> str:
        return self.reference or self.session_id or f"payment {self.pk}"

    @property
    def idempotency_key(self) -> str:
        """The key of the provider call that starts this payment: made from
        our row, so a retry after a crash or a timeout reuses it."""
        return f"payment-{self.pk}"


class PaymentEvent(Model):
    """A payment provider's event (a webhook), recorded once by its id.

    The row is written in the same transaction as what the event did, so an
    event is acted on exactly once: a second delivery finds it and changes
    nothing, and a delivery that failed half-way left no row and is acted
    on when the provider retries.
    """

    provider = models.CharField(_("provider"), max_length=40)
    event_id = models.CharField(_("event id"), max_length=80)
    type = models.CharField(_("type"), max_length=80)
    payment = models.ForeignKey(
        Payment,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="events",
        verbose_name=_("payment"),
    )
    # What it did, in words for staff: "placed the order", "already settled".
    outcome = models.CharField(_("outcome"), max_length=200, blank=True)
    received_at = models.DateTimeField(_("received at"), auto_now_add=True)

    class Meta:
        verbose_name = _("payment event")
        verbose_name_plural = _("payment events")
        ordering = ["received_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "event_id"], name="shop_paymentevent_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event_id} ({self.type})"


class Refund(Model):
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


class RefundPart(Model):
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
