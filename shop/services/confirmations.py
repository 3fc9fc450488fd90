"""Staff's side of the order-confirmation outbox (``shop.confirmations``)."""

from django.db import transaction
from django.db.models import QuerySet

from shop.models import Order
from shop.tasks import send_order_confirmations


def send_confirmations_again(*, orders: QuerySet[Order]) -> int:
    """Give the orders whose confirmation kept failing their tries back,
    once staff have fixed the cause; returns how many were still unsent.

    Guarantees: orders already confirmed are left alone, so asking twice
    sends nothing twice; the send is queued after commit, and Beat's sweep
    finds the orders if the broker is down.
    """
    with transaction.atomic():
        count = orders.filter(confirmation_sent_at=None).update(confirmation_failures=0)
        transaction.on_commit(send_order_confirmations.delay, robust=True)
    return count
