"""Removing the numbers of calls that are over.

``callbacks`` does not know when a number is no longer needed: the app that
asked for the calls does (support, when a case has been closed long
enough), and names them by subject.
"""

import logging

from django.db.models import QuerySet

from callbacks.models import CallbackRequest
from core.batches import DEFAULT_BATCH_SIZE, update_in_batches

logger = logging.getLogger(__name__)

# What a removed number reads as: a blank, which no dialer accepts and which
# a database constraint keeps off any call still booked or under way.
FORGOTTEN_NUMBER = ""


def forget_numbers(*, subjects: QuerySet, batch_size: int = DEFAULT_BATCH_SIZE) -> int:
    """Blank the number of every call about one of ``subjects`` (a query
    of subject strings) that is over; a call booked or under way keeps its
    number. The call's history (states, times, agent) stays.

    Guarantees: one ``UPDATE`` per batch of calls, however many; a call
    already blank is skipped, so a second run changes nothing; a purged
    call is never dialled (``callbacks_active_call_has_number``). Returns
    how many calls lost their number.
    """
    forgotten = update_in_batches(
        CallbackRequest.objects.filter(subject__in=subjects)
        .exclude(state__in=CallbackRequest.ACTIVE)
        .exclude(number=FORGOTTEN_NUMBER),
        batch_size=batch_size,
        number=FORGOTTEN_NUMBER,
    )
    if forgotten:
        logger.info("Forgot the number of %s call(s)", forgotten)
    return forgotten
