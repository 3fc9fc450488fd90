"""What the shop sells."""

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


def _localized(obj, field: str) -> str:
    """The Japanese text when the reader reads Japanese and there is one."""
    if (get_language() or "en").startswith("ja"):
        return getattr(obj, f"{field}_ja") or getattr(obj, field)
    return getattr(obj, field)


class Category(models.Model):
    name = models.CharField(_("name"), max_length=80)
    name_ja = models.CharField(_("name (Japanese)"), max_length=80, blank=True)
    slug = models.SlugField(_("slug"), unique=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("shop:product_list") + f"?category={self.slug}"

    @property
    def display_name(self) -> str:
        return _localized(self, "name")


class Product(models.Model):
    """A product and its stock; price in the currency's minor unit."""

    class Documents(models.TextChoices):
        """The printed papers in the box: what support may post again when
        a customer reports them missing, and nothing else."""

        NONE = "none", _("None")
        MANUAL = "manual", _("Manual")
        WARRANTY_CARD = "warranty_card", _("Warranty card")
        BOTH = "both", _("Manual and warranty card")

    category = models.ForeignKey(
        Category,
        on_delete=models.PROTECT,
        related_name="products",
        verbose_name=_("category"),
    )
    sku = models.CharField(_("SKU"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=160)
    name_ja = models.CharField(_("name (Japanese)"), max_length=160, blank=True)
    slug = models.SlugField(_("slug"), max_length=180, unique=True)
    description = models.TextField(_("description"), blank=True)
    description_ja = models.TextField(_("description (Japanese)"), blank=True)
    price = models.PositiveIntegerField(
        _("price"), help_text=_("In the currency's minor unit (yen for JPY).")
    )
    manual_url = models.URLField(
        _("digital manual"), blank=True, help_text=_("A PDF of the manual, if any.")
    )
    # "None" until someone says otherwise: support never promises a paper
    # the product was not declared to ship with.
    documents = models.CharField(
        _("printed documents"),
        max_length=16,
        choices=Documents,
        default=Documents.NONE,
        help_text=_("What is printed and in the box: support posts only these."),
    )
    stock_on_hand = models.IntegerField(_("stock on hand"), default=0)
    is_active = models.BooleanField(_("active"), default=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(stock_on_hand__gte=0),
                name="shop_product_stock_not_negative",
            ),
        ]
        indexes = [
            models.Index(fields=["category", "is_active", "name"]),
            # The catalog's order: a page reads 24 names, not a sort of all.
            models.Index(
                fields=["name"],
                condition=Q(is_active=True),
                name="shop_product_active_name",
            ),
        ]
        # On PostgreSQL the table also has a generated ``search_vector``
        # column with a GIN index (migration 0005), outside the model so
        # that SQLite needs no equivalent; see shop.selectors.product_list.

    def __str__(self) -> str:
        return f"{self.name} ({self.sku})"

    def get_absolute_url(self) -> str:
        return reverse("shop:product_detail", kwargs={"slug": self.slug})

    @property
    def display_name(self) -> str:
        return _localized(self, "name")

    @property
    def display_description(self) -> str:
        return _localized(self, "description")

    @property
    def ships_manual(self) -> bool:
        return self.documents in (self.Documents.MANUAL, self.Documents.BOTH)

    @property
    def ships_warranty_card(self) -> bool:
        return self.documents in (self.Documents.WARRANTY_CARD, self.Documents.BOTH)

    @property
    def in_stock(self) -> bool:
        return self.stock_on_hand > 0

    @property
    def first_image(self):
        """The product's first photo, or None: from ``shop.images.with_first_image``
        when the query prefetched it, else one query."""
        try:
            images = self.first_images
        except AttributeError:
            return self.images.first()
        return images[0] if images else None
