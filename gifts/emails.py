"""Emails about gifts. None carries an address of either side."""

from core.emails import send_templated
from gifts.models import Gift, GiftReturn
from shop.images import with_first_image


def send_thank_you_note(gift: Gift) -> None:
    send_templated(
        template="gifts/email/thank_you",
        context={
            "gift": gift,
            # What they gave, with its products for the thumbnails.
            "lines": gift.lines.select_related("order_line__product").prefetch_related(
                with_first_image("order_line__product__images")
            ),
        },
        to=gift.giver.email,
        recipient=gift.giver,
    )


def send_return_credited(gift_return: GiftReturn) -> None:
    send_templated(
        template="gifts/email/return_credited",
        context={"gift_return": gift_return},
        to=gift_return.gift_line.gift.recipient.email,
        recipient=gift_return.gift_line.gift.recipient,
    )


def send_gift_not_delivered(gift: Gift) -> None:
    """To the giver: the gift can't be delivered and was refunded in full.
    Never why (its recipient closed their account), nor who they are."""
    send_templated(
        template="gifts/email/not_delivered",
        context={
            "order": gift.order,
            "lines": gift.order.lines.select_related("product").prefetch_related(
                with_first_image("product__images")
            ),
        },
        to=gift.giver.email,
        recipient=gift.giver,
    )
