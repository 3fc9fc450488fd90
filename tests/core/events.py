"""One of each event the metrics count, through the services that record
them, for the scrapes that look for every series."""

import datetime

from django.test import Client, TestCase
from django.urls import reverse
from django.utils import timezone
from phonenumber_field.phonenumber import PhoneNumber

from callbacks import services as callback_services
from shop import payments
from shop.services import payments as payment_services
from tests.shop.factories import placed_order


def produce_one_of_each(settings) -> None:
    """A request, an order placed (and paid), a payment webhook two seconds
    late, a call placed and a call cancelled; on_commit work runs as it
    would after a real commit."""
    settings.CELERY_BROKER_URL = settings.REDIS_URL
    Client().get(reverse("healthz"))
    with TestCase.captureOnCommitCallbacks(execute=True):
        placed_order()
    payment_services.handle_event(
        provider_name="test",
        event=payments.Event(
            id=f"evt_metrics_{timezone.now().timestamp()}",
            type="customer.created",
            session=None,
            created=timezone.now() - datetime.timedelta(seconds=2),
        ),
    )
    with TestCase.captureOnCommitCallbacks(execute=True):
        callback_services.schedule_callback(
            subject="metrics:now",
            number=PhoneNumber.from_string("+819012345671"),
            script="Hello from Hoshii.",
            queue="support",
            delay=datetime.timedelta(0),
        )
    with TestCase.captureOnCommitCallbacks(execute=True):
        later = callback_services.schedule_callback(
            subject="metrics:later",
            number=PhoneNumber.from_string("+819012345672"),
            script="Hello from Hoshii.",
            queue="support",
            delay=datetime.timedelta(minutes=5),
        )
        callback_services.cancel_callback(callback=later)
