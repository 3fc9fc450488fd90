"""Store credit: a balance per customer and the ledger that explains it."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.models import Model

from .orders import Order


class StoreCreditAccount(Model):
    """A customer's store credit, in the currency's minor unit.

    The balance is the sum of the ledger; it is kept on this row so checkout
    can lock it and a database constraint can forbid it going negative.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="store_credit"
    )
    balance = models.PositiveIntegerField(_("balance"), default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("store credit account")
        verbose_name_plural = _("store credit accounts")
        constraints = [
            models.CheckConstraint(
                condition=Q(balance__gte=0), name="shop_store_credit_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.balance}"


class StoreCreditEntry(Model):
    """One movement of store credit: positive when given, negative when spent."""

    class Kind(models.TextChoices):
        ISSUED = "issued", _("Issued")
        SPENT = "spent", _("Spent at checkout")
        # The customer closed their account with a balance left, warned.
        FORFEITED = "forfeited", _("Forfeited when the account was closed")

    account = models.ForeignKey(
        StoreCreditAccount, on_delete=models.CASCADE, related_name="entries"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind)
    amount = models.IntegerField(_("amount"))
    reason = models.CharField(_("reason"), max_length=200)
    order = models.ForeignKey(
        Order, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Makes issuing idempotent: the same return or refund credits once.
    reference = models.CharField(max_length=80, unique=True, null=True, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("store credit entry")
        verbose_name_plural = _("store credit entries")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(kind="issued", amount__gt=0)
                    | Q(kind__in=["spent", "forfeited"], amount__lt=0)
                ),
                name="shop_store_credit_entry_sign",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.amount:+d} {self.reason}"
