"""Wish-list errors; each carries the message the customer sees."""

from django.utils.translation import gettext_lazy as _

from shop.exceptions import ShopError


class WishlistError(ShopError):
    default_message = _("That can't be done with this list.")


class ItemNoLongerOnList(WishlistError):
    default_message = _(
        "The list's owner removed this item while you were checking out. "
        "Nothing was charged."
    )


class AlreadyBought(WishlistError):
    """Someone else bought the last wanted units first."""

    def __init__(self, *, product_name: str, remaining: int) -> None:
        self.product_name = product_name
        self.remaining = remaining
        if remaining:
            message = _(
                "Only %(count)d more of %(product)s is still wanted: someone else "
                "just bought the rest. Confirm to give it anyway."
            ) % {"count": remaining, "product": product_name}
        else:
            message = _(
                "%(product)s has already been bought by someone else. Confirm to "
                "give it anyway."
            ) % {"product": product_name}
        super().__init__(message)
