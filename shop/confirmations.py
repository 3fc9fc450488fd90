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
from django.db.models import Count, F, Q
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
# An order whose email failed this many times for reasons of its own waits
# for staff (the order's admin page shows the error; "send again" retries).
MAX_FAILURES = 5


def backlog() -> dict[str, int]:
    """The outbox's size, in one query: ``pending`` confirmations the next
    send will take, and ``failing`` ones that wait for staff."""
    return (
        Order.objects.filter(confirmation_sent_at=None)
        .exclude(status__in=Order.UNPAID)
        .aggregate(
            pending=Count("pk", filter=Q(confirmation_failures__lt=MAX_FAILURES)),
            failing=Count("pk", filter=Q(confirmation_failures__gte=MAX_FAILURES)),
        )
    )


def send_pending(*, batch: int = BATCH) -> int:
    """Email every order whose confirmation has not been sent; returns how
    many were. Parallel sends share the work (locked rows are skipped).

    Guarantees:
    - A run ends: an order that fails is not read again in the same run,
      and a batch that sends nothing ends it.
    - Mail server trouble stops the send, keeps the stamps of what was sent
      and raises, for the task to retry.
    - An order whose email cannot be written (a bug, bad data) is a poison
      order: it is logged, its failure and error are recorded on the order
      for staff (the order's admin page), and the rest go out. Orders that
      failed fewer times go first, and one that failed ``MAX_FAILURES``
      times is no longer tried until staff send it again from the admin.
    """
    cache.delete(QUEUED)
    sent = 0
    failed: set[int] = set()
    while True:
        failure = None
        with transaction.atomic():
            orders = list(
                Order.objects.filter(
                    confirmation_sent_at=None, confirmation_failures__lt=MAX_FAILURES
                )
                .exclude(status__in=Order.UNPAID)
                .exclude(pk__in=failed)
                .select_for_update(skip_locked=True, of=("self",))
                .select_related("buyer")
                .prefetch_related(emails.confirmation_lines())
                .order_by("confirmation_failures", "pk")[:batch]
            )
            done = []
            for order in orders:
                try:
                    emails.send_order_confirmation(order)
                except (SMTPException, OSError) as error:
                    failure = error
                    break
                except Exception as error:
                    logger.exception("Confirmation of order %s not sent", order.pk)
                    failed.add(order.pk)
                    Order.objects.filter(pk=order.pk).update(
                        confirmation_failures=F("confirmation_failures") + 1,
                        confirmation_error=f"{type(error).__name__}: {error}"[:500],
                    )
                    continue
                done.append(order.pk)
            Order.objects.filter(pk__in=done).update(
                confirmation_sent_at=timezone.now(), confirmation_error=""
            )
        sent += len(done)
        if failure is not None:
            raise failure
        if len(orders) < batch or not done:
            return sent
