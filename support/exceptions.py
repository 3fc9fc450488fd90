"""Support errors; each carries the message the customer or agent sees."""

from django.utils.translation import gettext_lazy as _

from shop.exceptions import ShopError


class SupportError(ShopError):
    default_message = _("That can't be done with this case.")


class NotYourLine(SupportError):
    """The customer doesn't own the line (views turn this into a 404)."""


class CaseClosed(SupportError):
    default_message = _("This case is closed. Open a new one if you still need help.")
