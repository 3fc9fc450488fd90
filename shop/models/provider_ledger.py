"""The test payment provider's own books: NOT the shop's records of payments.

``shop.payments.TestPaymentProvider`` stands in for a remote provider such as
Stripe. A real provider keeps its charges and refunds on its own servers,
shared by every process that calls it and untouched by our transactions; the
stand-in keeps them here, in tables of its own, so that it behaves the same
way across web processes, workers and test threads. Nothing in the shop reads
these tables: our records are ``Payment``, ``Refund`` and ``RefundPart``.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.models import Model


class TestProviderCharge(Model):
    """A charge the stand-in provider made, under the caller's idempotency key."""

    __test__ = False  # not a pytest test class, despite its name

    reference = models.CharField(max_length=40, unique=True)
    # The same key returns this charge; with other parameters it is refused.
    idempotency_key = models.CharField(max_length=255, unique=True)
    amount = models.PositiveIntegerField()
    currency = models.CharField(max_length=3)
    # A digest of the card number, like a real provider's card fingerprint:
    # how a second request with the same key but another card is told apart.
    card_fingerprint = models.CharField(max_length=64)
    card_last4 = models.CharField(max_length=4)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("test provider charge")
        verbose_name_plural = _("test provider charges")
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gte=1), name="shop_testprovidercharge_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference}: {self.amount}"


class TestProviderRefund(Model):
    """Money the stand-in provider gave back from one of its charges."""

    __test__ = False

    reference = models.CharField(max_length=40, unique=True)
    # The same key returns this refund instead of refunding twice.
    idempotency_key = models.CharField(max_length=255, unique=True)
    charge = models.ForeignKey(
        TestProviderCharge, on_delete=models.PROTECT, related_name="refunds"
    )
    amount = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("test provider refund")
        verbose_name_plural = _("test provider refunds")
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gte=1), name="shop_testproviderrefund_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference}: {self.amount}"


class TestProviderSession(Model):
    """A hosted payment page of the stand-in provider, as a Stripe Checkout
    Session is one: made under the caller's idempotency key, paid on the
    page (``shop.views.test_provider``), or expired."""

    __test__ = False

    class Status(models.TextChoices):
        OPEN = "open", "open"
        COMPLETE = "complete", "complete"
        EXPIRED = "expired", "expired"

    reference = models.CharField(max_length=40, unique=True)
    idempotency_key = models.CharField(max_length=255, unique=True)
    amount = models.PositiveIntegerField()
    currency = models.CharField(max_length=3)
    description = models.CharField(max_length=200)
    # What the shop asked to have back in events: its own ids, nothing more.
    metadata = models.JSONField(default=dict)
    success_url = models.CharField(max_length=800)
    cancel_url = models.CharField(max_length=800)
    status = models.CharField(max_length=10, choices=Status, default=Status.OPEN)
    charge = models.OneToOneField(
        TestProviderCharge,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="session",
    )
    # A card the page refused, and why, as Stripe's page shows it.
    last_error = models.CharField(max_length=200, blank=True)
    expires_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("test provider session")
        verbose_name_plural = _("test provider sessions")

    def __str__(self) -> str:
        return f"{self.reference}: {self.amount} ({self.status})"
