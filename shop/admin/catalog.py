"""Staff screens for the catalog and its stock."""

from django.contrib import admin
from django.db import models
from django.utils.translation import gettext_lazy as _

from shop.models import Category, Product
from shop.pricing import format_money


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "name_ja", "slug", "position"]
    list_editable = ["position"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = [
        "sku",
        "name",
        "category",
        "price_display",
        "stock_on_hand",
        "is_active",
    ]
    list_editable = ["stock_on_hand", "is_active"]
    list_filter = ["is_active", "category", "documents"]
    list_select_related = ["category"]
    search_fields = ["sku", "name", "name_ja", "sort_reading"]
    # The reading Japanese pages sort by: the one staff gave, or the one
    # read from the Japanese name when they left it blank.
    readonly_fields = ["sort_reading"]
    prepopulated_fields = {"slug": ["name"]}
    list_per_page = 50
    # A manual's URL typed without a scheme means https (Django 6's default).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    @admin.display(description=_("price"), ordering="price")
    def price_display(self, product: Product) -> str:
        return format_money(product.price)
