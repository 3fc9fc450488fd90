"""What the shop sells."""

from django.db import models
from django.db.models import Q
from django.db.models.functions import Upper
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from core.models import Model
from shop import kana


def _localized(obj, field: str) -> str:
    """The Japanese text when the reader reads Japanese and there is one."""
    if (get_language() or "en").startswith("ja"):
        return getattr(obj, f"{field}_ja") or getattr(obj, field)
    return getattr(obj, field)


# What a search matches besides the description (``search_text``), and what
# is derived from them on save.
SEARCHED_FIELDS = (
    "name",
    "name_ja",
    "name_ja_reading",
    "search_terms",
    "search_terms_ja",
)
DERIVED_SEARCH_FIELDS = ("sort_reading", "search_text")


class Category(Model):
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


class Product(Model):
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
    name_ja_reading = models.CharField(
        _("reading (Japanese)"),
        max_length=320,
        blank=True,
        help_text=_(
            "The Japanese name in kana, as it is read (ありたやき for 有田焼): "
            "Japanese pages are sorted by it. Leave blank to have it read "
            "automatically."
        ),
    )
    search_terms = models.CharField(
        _("search words"),
        max_length=255,
        blank=True,
        help_text=_(
            "Other words shoppers search for it by, separated by spaces "
            "(for a kettle: teakettle boiler)."
        ),
    )
    search_terms_ja = models.CharField(
        _("search words (Japanese)"),
        max_length=255,
        blank=True,
        help_text=_(
            "Other Japanese words shoppers search for it by, separated by "
            "spaces (for a kettle: やかん 湯沸かし). Katakana and hiragana "
            "match alike."
        ),
    )
    # Derived in save() from the fields above (refresh_search_fields), never
    # typed: the reading Japanese pages sort by, in hiragana, and the text
    # search matches, normalised (shop.kana.normalize).
    sort_reading = models.CharField(
        _("reading used for sorting"), max_length=320, editable=False, default=""
    )
    search_text = models.TextField(editable=False, default="")
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
        # The catalog's orders: a page reads 24 names, not a sort of all.
        # Each holds the key too (``include``), so a page's keys are read
        # from the index alone, however deep the page (``KeysFirstPaginator``:
        # page 4,000 of 200,000 products, 121 → a few ms).
        indexes = [
            models.Index(
                fields=["category", "is_active", "name"],
                include=["id"],
                name="shop_product_cat_name",
            ),
            models.Index(
                fields=["category", "is_active", "sort_reading", "name"],
                include=["id"],
                name="shop_product_cat_reading",
            ),
            models.Index(
                fields=["name"],
                include=["id"],
                condition=Q(is_active=True),
                name="shop_product_active_name",
            ),
            # The Japanese catalog's order, likewise.
            models.Index(
                fields=["sort_reading", "name"],
                include=["id"],
                condition=Q(is_active=True),
                name="shop_product_active_reading",
            ),
            # A search for a SKU, in any case, without reading every row.
            models.Index(Upper("sku"), name="shop_product_sku_upper"),
        ]
        # On PostgreSQL the table also has a generated ``search_vector``
        # column with a GIN index (migrations 0005 and 0015) and a trigram
        # GIN index on ``search_text`` (0015), outside the model so that
        # SQLite needs no equivalent; see shop.selectors.product_list.

    def __str__(self) -> str:
        return f"{self.name} ({self.sku})"

    def save(self, *args, **kwargs) -> None:
        update_fields = kwargs.get("update_fields")
        if update_fields is None:
            self.refresh_search_fields()
        elif set(update_fields) & set(SEARCHED_FIELDS):
            self.refresh_search_fields()
            kwargs["update_fields"] = {*update_fields, *DERIVED_SEARCH_FIELDS}
        # A save of other fields alone (stock, price) reads no name: it
        # never loads pykakasi's dictionaries (about a second, per process).
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("shop:product_detail", kwargs={"slug": self.slug})

    @property
    def display_name(self) -> str:
        return _localized(self, "name")

    def refresh_search_fields(self) -> None:
        """Derive ``sort_reading`` and ``search_text`` from the names, the
        reading and the search words: the one place they are computed.
        ``save()`` calls it; whoever writes products with ``bulk_create``
        must call it first."""
        self.sort_reading = kana.sort_reading(
            given=self.name_ja_reading, japanese=self.name_ja, fallback=self.name
        )[: self._meta.get_field("sort_reading").max_length]
        self.search_text = kana.search_document(
            *(getattr(self, field) for field in SEARCHED_FIELDS),
            self.sort_reading,
        )

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
