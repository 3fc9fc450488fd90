"""Wish lists, their items, and who may see them."""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import Model
from shop.models import Address, Product


def new_share_token() -> str:
    return secrets.token_urlsafe(16)


class WishList(Model):
    """A list of wanted things. Its shipping address is never shown on it."""

    class Visibility(models.TextChoices):
        PUBLIC = "public", _("Public: anyone can find it by my name")
        UNLISTED = "unlisted", _("Unlisted: only people with the link")
        PRIVATE = "private", _("Private: only me")

    class Occasion(models.TextChoices):
        WEDDING = "wedding", _("Wedding")
        BIRTHDAY = "birthday", _("Birthday")
        BABY = "baby", _("New baby")
        HOUSEWARMING = "housewarming", _("Housewarming")
        GRADUATION = "graduation", _("Graduation")
        OTHER = "other", _("Just because")

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="wishlists",
        verbose_name=_("owner"),
    )
    title = models.CharField(_("title"), max_length=120)
    description = models.TextField(_("description"), blank=True, max_length=2000)
    occasion = models.CharField(
        _("occasion"), max_length=20, choices=Occasion, default=Occasion.OTHER
    )
    occasion_date = models.DateField(_("date"), null=True, blank=True)
    address = models.ForeignKey(
        Address,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("ship gifts to"),
        help_text=_("From your address book. Givers never see it."),
    )
    visibility = models.CharField(
        _("who can see it"),
        max_length=10,
        choices=Visibility,
        default=Visibility.UNLISTED,
    )
    share_token = models.CharField(max_length=32, unique=True, default=new_share_token)
    surprise_protection = models.BooleanField(
        _("keep gifts a surprise"),
        default=True,
        help_text=_(
            "Hide what has been bought, and by whom, until each gift is "
            "delivered or the date has passed."
        ),
    )
    revealed_at = models.DateTimeField(_("revealed at"), null=True, blank=True)
    # The form submission that created it: sent twice, it makes one list.
    submission_key = models.CharField(
        max_length=64, null=True, blank=True, editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # What the owner edits, in the form and through the services.
    EDITABLE_FIELDS = (
        "title",
        "description",
        "occasion",
        "occasion_date",
        "address",
        "visibility",
        "surprise_protection",
    )

    class Meta:
        verbose_name = _("wish list")
        verbose_name_plural = _("wish lists")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "submission_key"],
                name="wishlist_one_per_submission",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("wishlist:manage", kwargs={"pk": self.pk})

    def get_share_url(self) -> str:
        return reverse("wishlist:shared", kwargs={"token": self.share_token})

    @property
    def is_revealed(self) -> bool:
        """May the owner see what has been bought, and by whom?"""
        if not self.surprise_protection or self.revealed_at is not None:
            return True
        return (
            self.occasion_date is not None and self.occasion_date < timezone.localdate()
        )

    def is_visible_to(self, user) -> bool:
        if self.visibility != self.Visibility.PRIVATE:
            return True
        return user.is_authenticated and user.pk == self.owner_id


class WishListItem(Model):
    class Priority(models.IntegerChoices):
        MUST_HAVE = 1, _("Must have")
        HIGH = 2, _("High")
        NORMAL = 3, _("Normal")
        LOW = 4, _("Low")

    wishlist = models.ForeignKey(
        WishList, on_delete=models.CASCADE, related_name="items"
    )
    product = models.ForeignKey(
        Product, on_delete=models.PROTECT, related_name="+", verbose_name=_("product")
    )
    desired_quantity = models.PositiveIntegerField(_("how many"), default=1)
    # Units givers have bought. May pass desired_quantity only when a giver
    # confirmed they want to give one more than was asked for.
    purchased_quantity = models.PositiveIntegerField(_("bought"), default=0)
    # Units in gift orders still awaiting payment: givers see them as taken,
    # so two cannot buy the last one; the owner does not see them until they
    # are paid (then they move to purchased_quantity) or are given back.
    held_quantity = models.PositiveIntegerField(_("held"), default=0)
    priority = models.PositiveSmallIntegerField(
        _("priority"), choices=Priority, default=Priority.NORMAL
    )
    note = models.CharField(
        _("note"),
        max_length=200,
        blank=True,
        help_text=_('For example "size M, blue".'),
    )
    position = models.PositiveIntegerField(default=0)
    # The submission that last added to it: its twin adds nothing. Checked
    # under the list's row lock, so no unique index is needed.
    submission_key = models.CharField(max_length=64, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("wish list item")
        verbose_name_plural = _("wish list items")
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["wishlist", "product"], name="wishlist_item_one_per_product"
            ),
            models.CheckConstraint(
                condition=Q(desired_quantity__gte=1),
                name="wishlist_item_wants_at_least_one",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.desired_quantity} × {self.product.name}"

    @property
    def remaining(self) -> int:
        """Units givers may still buy: not bought, nor held by a gift order
        awaiting payment."""
        taken = self.purchased_quantity + self.held_quantity
        return max(self.desired_quantity - taken, 0)

    @property
    def is_fulfilled(self) -> bool:
        return self.purchased_quantity >= self.desired_quantity
