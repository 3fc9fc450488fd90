"""``{% my_wishlists as lists %}`` for the product page's "Add to list"."""

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def my_wishlists(context):
    user = context["request"].user
    if not user.is_authenticated:
        return []
    return list(user.wishlists.only("pk", "title"))
