"""Gift errors; each carries the message the customer sees."""

from django.utils.translation import gettext_lazy as _

from shop.exceptions import ShopError


class GiftError(ShopError):
    default_message = _("That can't be done with this gift.")


class OwnList(GiftError):
    default_message = _("This is your own list: add things to your cart instead.")


class ListHasNoAddress(GiftError):
    default_message = _(
        "This list has no shipping address yet, so gifts can't be sent to it. "
        "Let its owner know!"
    )


class StillASurprise(GiftError):
    """The recipient acted on a gift they may not see yet: the message says
    no more than the "surprise on its way" page already does."""

    default_message = _("You can do this once your surprise has arrived.")
