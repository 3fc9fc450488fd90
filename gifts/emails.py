"""Emails about gifts. None carries an address of either side."""

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string

from gifts.models import Gift, GiftReturn


def _send(*, template: str, context: dict, to: str) -> None:
    context = {**context, "site_url": settings.SITE_URL}
    subject = render_to_string(f"gifts/email/{template}_subject.txt", context)
    body = render_to_string(f"gifts/email/{template}.txt", context)
    send_mail(" ".join(subject.split()), body, None, [to])


def send_thank_you_note(gift: Gift) -> None:
    _send(template="thank_you", context={"gift": gift}, to=gift.giver.email)


def send_return_credited(gift_return: GiftReturn) -> None:
    _send(
        template="return_credited",
        context={"gift_return": gift_return},
        to=gift_return.gift_line.gift.recipient.email,
    )
