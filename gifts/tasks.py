"""Celery tasks for gifts: thin, queued after commit."""

from celery import shared_task

from gifts import emails
from gifts.models import Gift, GiftReturn
from shop.tasks import EMAIL_RETRY


@shared_task(acks_late=True, **EMAIL_RETRY)
def send_thank_you_note(*, gift_id: int) -> None:
    emails.send_thank_you_note(
        Gift.objects.select_related("giver", "recipient", "order").get(pk=gift_id)
    )


@shared_task(acks_late=True, **EMAIL_RETRY)
def send_return_credited(*, return_id: int) -> None:
    emails.send_return_credited(
        GiftReturn.objects.select_related(
            "gift_line__gift__recipient", "gift_line__order_line__product"
        ).get(pk=return_id)
    )


@shared_task(acks_late=True, **EMAIL_RETRY)
def send_gift_not_delivered(*, gift_id: int) -> None:
    emails.send_gift_not_delivered(
        Gift.objects.select_related("giver", "order").get(pk=gift_id)
    )
