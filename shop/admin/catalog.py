"""Staff screens for the catalog and its stock."""

from functools import partial

from django.contrib import admin
from django.db import models, transaction
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _

from shop import images
from shop.models import Category, Product, ProductImage
from shop.pricing import format_money
from shop.templatetags.shop import product_picture


def product_thumbnail(product: Product, photo: ProductImage | None = None) -> str:
    """The product's photo (its first, or ``photo``) as a small thumbnail:
    the same <picture> as the shop's pages."""
    return render_to_string(
        "shop/includes/picture.html", product_picture(product, "thumb", photo=photo)
    )


class ProductImageInline(admin.TabularInline):
    """The product's photos in order: lowest position first, the first one
    on every card. Thumbnails are made when a photo is saved."""

    model = ProductImage
    extra = 1
    fields = ["thumbnail", "image", "alt", "alt_ja", "position"]
    readonly_fields = ["thumbnail"]

    @admin.display(description=_("thumbnail"))
    def thumbnail(self, photo: ProductImage) -> str:
        if not photo.pk:
            return ""
        return product_thumbnail(photo.product, photo)


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "name_ja", "slug", "position"]
    list_editable = ["position"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = [
        "photo",
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
    inlines = [ProductImageInline]
    # A manual's URL typed without a scheme means https (Django 6's default).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related(images.with_first_image())

    @admin.display(description=_("photo"))
    def photo(self, product: Product) -> str:
        return product_thumbnail(product)

    def save_formset(self, request, form, formset, change):
        if formset.model is not ProductImage:
            return super().save_formset(request, form, formset, change)
        # A photo replaced or deleted takes its old files with it, once
        # the change is committed; a new or replaced one gets thumbnails.
        replaced = [
            f.instance.pk
            for f in formset.forms
            if f.instance.pk and "image" in f.changed_data
        ]
        old_files = list(ProductImage.objects.filter(pk__in=replaced))
        deleted_forms = formset.deleted_forms
        formset.save()
        for photo in [*old_files, *formset.deleted_objects]:
            transaction.on_commit(partial(images.delete_files, photo))
        for inline_form in formset.forms:
            if (
                inline_form not in deleted_forms
                and inline_form.instance.pk
                and "image" in inline_form.changed_data
            ):
                images.make_renditions(inline_form.instance)
        return None

    @admin.display(description=_("price"), ordering="price")
    def price_display(self, product: Product) -> str:
        return format_money(product.price)
