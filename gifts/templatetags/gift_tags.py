"""``{% sent_gift order as gift %}``: the gift an order is, as its giver may
see it, for the templates gifts adds to the shop's order page."""

from django import template

from gifts import selectors

register = template.Library()


@register.simple_tag(takes_context=True)
def sent_gift(context, order) -> selectors.SentGift | None:
    return selectors.sent_gift_for_order(order=order, giver=context["request"].user)
