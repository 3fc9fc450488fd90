"""Order confirmations leave through an outbox.

An order is written with ``confirmation_sent_at`` empty, in its own
transaction, and ``send_pending`` emails every such order and stamps it. A
Celery message for each order cut checkout's throughput on sale day by more
than half (docs/benchmarks.md), so an order only asks for a
send when none is queued yet (``QUEUED``, a flag in the shared cache); the
send starts a second later (``GATHER_SECONDS``) and takes everything
pending by then, in batches. Beat also runs that task
every few seconds (``CELERY_BEAT_SCHEDULE``), for an order whose request
could not reach the cache or the broker after it committed: no
confirmation is lost to a broker outage.

Each email is sent at least once: a worker killed between sending a batch
and committing the batch's stamps sends those again.
"""

import logging
from smtplib import SMTPException

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from shop import emails
from shop.models import Order

logger = logging.getLogger(__name__)

# Set while a send is queued and not started; the send clears it first, so
# an order committed after that asks for another.
QUEUED = "shop:confirmations:queued"
# A send starts this long after the order that queued it, and carries the
# orders placed meanwhile too: on sale day, one task a second.
GATHER_SECONDS = 1
# A send queued and lost (a worker's crash) stops holding orders back after
# this long; Beat's sweep would find them anyway.
QUEUED_SECONDS = 5
# The orders of a batch stay locked while their emails go out: a staff
# action on one of them (a shipment) waits that long at most.
BATCH = 20


def send_pending(*, batch: int = BATCH) -> int:
    """Email every order whose confirmation has not been sent; returns how
    many were. Parallel sends share the work (locked rows are skipped).

    Mail server trouble stops the send, keeps the stamps of what was sent
    and raises, for the task to retry. An order whose email cannot be
    written (a bug) is logged and left pending, and the rest go out.
    """
    cache.delete(QUEUED)
    sent = 0
    while True:
        failure = None
        with transaction.atomic():
            orders = list(
                Order.objects.filter(confirmation_sent_at=None)
                .select_for_update(skip_locked=True, of=("self",))
                .select_related("buyer")
                .prefetch_related("lines")
                .order_by("pk")[:batch]
            )
            done = []
            for order in orders:
                try:
                    emails.send_order_confirmation(order)
                except (SMTPException, OSError) as error:
                    failure = error
                    break
                except Exception:
                    logger.exception("Confirmation of order %s not sent", order.pk)
                    continue
                done.append(order.pk)
            Order.objects.filter(pk__in=done).update(
                confirmation_sent_at=timezone.now()
            )
        sent += len(done)
        if failure is not None:
            raise failure
        if len(orders) < batch:
            return sent
