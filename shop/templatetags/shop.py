"""Template helpers for money, product placeholders and addresses."""

from django import template

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
