"""A product's photos, in order, with their ready-made thumbnails."""

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import Model

from .catalog import Product, _localized


def _upload_to(instance: "ProductImage", filename: str) -> str:
    # A fresh name per upload: a replaced photo never reuses a URL that a
    # browser or CDN may have cached for a year.
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "jpg"
    return f"products/{instance.product.sku}/{uuid.uuid4().hex[:12]}.{extension}"


class ProductImage(Model):
    """One photo of a product. ``renditions`` lists the thumbnails made from
    it when it was stored (``shop.images.make_renditions``): a page reads
    their names and sizes from this row and never opens an image file."""

    product = models.ForeignKey(
        Product,
        on_delete=models.CASCADE,
        related_name="images",
        verbose_name=_("product"),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    image = models.ImageField(
        _("image"),
        upload_to=_upload_to,
        width_field="width",
        height_field="height",
    )
    width = models.PositiveIntegerField(_("width"), default=0, editable=False)
    height = models.PositiveIntegerField(_("height"), default=0, editable=False)
    alt = models.CharField(
        _("alt text"),
        max_length=200,
        help_text=_("What the photo shows, for people who cannot see it."),
    )
    alt_ja = models.CharField(_("alt text (Japanese)"), max_length=200, blank=True)
    # [{"width": 320, "height": 240, "jpeg": name, "webp": name}, ...],
    # narrowest first; empty until the thumbnails are made.
    renditions = models.JSONField(_("thumbnails"), default=list, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    # With the pk, what a cached card or list grid is keyed on.
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("product photo")
        verbose_name_plural = _("product photos")
        ordering = ["position", "pk"]
        indexes = [models.Index(fields=["product", "position"])]

    def __str__(self) -> str:
        return self.alt

    @property
    def display_alt(self) -> str:
        return _localized(self, "alt")
