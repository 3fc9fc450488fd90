"""A gift is an order that belongs to its recipient.

The order (in ``shop``) is the giver's purchase; the ``Gift`` row says whom
it is for, what the giver chose to disclose, and carries the thank-you note.
Each gifted order line has a ``GiftLine``; returns hang off those.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext

from core.models import Model
from shop.models import Order, OrderLine, StoreCreditEntry
from wishlist.models import WishList, WishListItem


class Gift(Model):
    order = models.OneToOneField(Order, on_delete=models.PROTECT, related_name="gift")
    wishlist = models.ForeignKey(
        WishList, on_delete=models.PROTECT, related_name="gifts"
    )
    giver = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="gifts_given",
        verbose_name=_("giver"),
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="gifts_received",
        verbose_name=_("recipient"),
    )
    message = models.TextField(_("gift message"), max_length=500, blank=True)
    shows_giver_name = models.BooleanField(
        _("show my name to the recipient"), default=True
    )
    discloses_address = models.BooleanField(
        _("let the recipient see my address (for a thank-you card)"), default=False
    )
    # Copies made at purchase, and only what the giver agreed to disclose.
    giver_name = models.CharField(max_length=120, blank=True)
    giver_address = models.TextField(blank=True)
    # When the shared address was removed, the thank-you window past
    # (``gifts.services.forget_giver_addresses``).
    giver_address_forgotten_at = models.DateTimeField(
        null=True, blank=True, editable=False
    )
    thank_you_note = models.TextField(_("thank-you note"), max_length=1000, blank=True)
    thanked_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    # A gift shown to its recipient is either this (revealed) or a
    # ``gifts.selectors.Surprise``; pages tell them apart by this flag.
    is_surprise = False

    class Meta:
        verbose_name = _("gift")
        verbose_name_plural = _("gifts")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(giver=models.F("recipient")),
                name="gifts_gift_not_to_oneself",
            ),
            models.CheckConstraint(
                condition=Q(discloses_address=True) | Q(giver_address=""),
                name="gifts_gift_address_only_when_disclosed",
            ),
        ]

    def __str__(self) -> str:
        return _("Gift in order %(number)s") % {"number": self.order.number}

    def get_absolute_url(self) -> str:
        return reverse("gifts:received_detail", kwargs={"pk": self.pk})

    @property
    def sender_label(self) -> str:
        """The sender as the recipient may see them, on a line of its own."""
        if not self.shows_giver_name:
            return _("A friend")
        return self.giver_name or _("A Hoshii customer")

    @property
    def sender_in_sentence(self) -> str:
        """The sender as a sentence names them ("A gift from …"): a name
        with the language's honorific (Japanese "さん"), otherwise "a
        friend" or "a Hoshii customer" in lower case, as inside a sentence."""
        if not self.shows_giver_name:
            return pgettext("the sender of a gift, in a sentence", "a friend")
        if not self.giver_name:
            return pgettext("someone with no name, in a sentence", "a Hoshii customer")
        return pgettext("a person's name in a sentence", "%(name)s") % {
            "name": self.giver_name
        }


class GiftLine(Model):
    """An order line that is a gift, and the list item it answered."""

    gift = models.ForeignKey(Gift, on_delete=models.CASCADE, related_name="lines")
    order_line = models.OneToOneField(
        OrderLine, on_delete=models.PROTECT, related_name="gift_line"
    )
    wishlist_item = models.ForeignKey(
        WishListItem, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return str(self.order_line)


class GiftReturn(Model):
    """A recipient sending a gift back for store credit (or to exchange it).

    The giver is never told and their order does not change.
    """

    class Kind(models.TextChoices):
        RETURN = "return", _("Return for store credit")
        EXCHANGE = "exchange", _("Exchange for something else")

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Requested: send it back with the label")
        CREDITED = "credited", _("Received and credited")

    gift_line = models.ForeignKey(
        GiftLine, on_delete=models.PROTECT, related_name="returns"
    )
    kind = models.CharField(_("what you'd like"), max_length=10, choices=Kind)
    quantity = models.PositiveIntegerField(_("how many"))
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    status = models.CharField(max_length=10, choices=Status, default=Status.REQUESTED)
    credit = models.OneToOneField(
        StoreCreditEntry,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # The recipient's form submission: sent twice, it makes one return.
    submission_key = models.CharField(
        max_length=64, null=True, blank=True, editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)
    credited_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("gift return")
        verbose_name_plural = _("gift returns")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gte=1), name="gifts_return_quantity_positive"
            ),
            models.UniqueConstraint(
                fields=["gift_line", "submission_key"],
                name="gifts_return_one_per_submission",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.quantity} × {self.gift_line}"

    @property
    def amount(self) -> int:
        return self.gift_line.order_line.unit_price * self.quantity
