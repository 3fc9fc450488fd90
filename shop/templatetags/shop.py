"""Template helpers for money, product photos and addresses."""

from django import template

from shop import images
from shop.addresses import (
    RETURN_ADDRESS,
    PostalAddress,
    format_address,
    format_region,
)
from shop.pricing import format_money

register = template.Library()


@register.filter
def money(amount: int | None, currency: str | None = None) -> str:
    if amount is None:
        return ""
    return format_money(amount, currency)


@register.filter
def address_lines(address: PostalAddress | None) -> list[str]:
    """An address's lines for the reader's language (``shop.addresses``)."""
    return format_address(address) if address else []


@register.filter
def address_region(address: PostalAddress | None) -> str:
    """Only an address's region and country (a hidden destination)."""
    return format_region(address) if address else ""


@register.simple_tag
def shop_return_address() -> PostalAddress:
    """Where returns go: the shop's address, never a customer's."""
    return RETURN_ADDRESS


@register.inclusion_tag("shop/includes/picture.html")
def product_picture(
    product, preset: str = "card", photo=None, eager: bool = False, beside_name=False
):
    """A product's photo as a responsive ``<picture>``: the WebP and JPEG
    thumbnails made when it was stored, ``width``/``height`` from the preset
    (``shop.images.PRESETS``: "thumb", "card", "gallery"), lazy unless
    ``eager`` (the first photo above the fold). ``photo`` picks one of the
    product's photos; by default its first (prefetch it with
    ``shop.images.with_first_image``). A product with no photo gets a
    placeholder of the same size.

    ``beside_name``: the product's name is written right next to the
    picture (a card, a cart or order line), so a screen reader would read
    it twice: a photo's alt text that only repeats the name is left empty,
    and the placeholder is hidden from screen readers. An alt text that
    says more than the name is kept."""
    if photo is None:
        photo = product.first_image
    context = {
        **images.picture(photo, preset),
        "preset": preset,
        "eager": eager,
        "name": product.display_name,
        "decorative": beside_name,
    }
    if beside_name and context.get("alt", "").strip() == product.display_name.strip():
        context["alt"] = ""
    return context


@register.filter
def email_thumbnail(product) -> str | None:
    """The absolute URL of ``product``'s JPEG thumbnail for emails, or None
    (``shop.images.email_thumbnail_url``)."""
    return images.email_thumbnail_url(product)
