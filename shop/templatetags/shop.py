"""Template helpers for money and product placeholders."""

from django import template

from shop.pricing import format_money

register = template.Library()


@register.filter
def money(amount: int | None, currency: str | None = None) -> str:
    if amount is None:
        return ""
    return format_money(amount, currency)
