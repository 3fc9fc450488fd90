"""How long support keeps the phone numbers its calls were made to."""

import datetime

from django.conf import settings
from django.db.models import Exists, OuterRef, Q, QuerySet

from core.batches import DEFAULT_BATCH_SIZE
from support import calls
from support.models import Case, CaseEvent

Kind = CaseEvent.Kind
Status = Case.Status

# A case that no longer waits on anyone: put right, or closed.
ENDED = (Status.RESOLVED, Status.CLOSED)


def cases_ended_before(cutoff: datetime.datetime) -> QuerySet[Case]:
    """Cases resolved or closed at or before ``cutoff``, and not reopened,
    resolved or closed again since. A case resolved by a remedy has only
    ``resolved_at``; one an agent closed has its "closed" entry."""
    ended_since = CaseEvent.objects.filter(
        case=OuterRef("pk"),
        kind__in=[Kind.RESOLVED, Kind.CLOSED, Kind.REOPENED],
        created_at__gt=cutoff,
    )
    closed_by_then = CaseEvent.objects.filter(
        case=OuterRef("pk"), kind=Kind.CLOSED, created_at__lte=cutoff
    )
    return (
        Case.objects.filter(status__in=ENDED)
        .filter(Q(resolved_at__lte=cutoff) | Exists(closed_by_then))
        .exclude(Q(resolved_at__gt=cutoff) | Exists(ended_since))
    )


def forget_call_numbers(
    *, now: datetime.datetime, batch_size: int = DEFAULT_BATCH_SIZE
) -> int:
    """Remove the phone numbers of the calls of cases resolved or closed
    more than ``SUPPORT_CALL_NUMBER_DAYS`` ago. An open or reopened case
    keeps its numbers: the customer may still need a call.

    Guarantees: one ``UPDATE`` per batch of calls (``callbacks`` writes it);
    a second run changes nothing; a call still booked or under way keeps its
    number. The case's timeline is untouched: it never held the number.
    Returns how many calls lost their number.
    """
    cutoff = now - datetime.timedelta(days=settings.SUPPORT_CALL_NUMBER_DAYS)
    return calls.forget_numbers(cases=cases_ended_before(cutoff), batch_size=batch_size)
