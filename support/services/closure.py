"""Support's part of closing a customer's account: their open cases closed
with a last entry for staff, a booked call cancelled, and what they wrote
and the numbers they were called on erased. Each verb is idempotent."""

from django.db import transaction

from callbacks import services as callback_services
from callbacks.exceptions import TooLateToChange
from shop.models import User
from support import calls, messages
from support.exceptions import SupportError
from support.models import Case, CaseEvent
from support.services._common import Kind, Status, _event, _locked, _set_status
from support.services.actions import ON_THE_PHONE


def close_cases_of_closed_account(*, customer: User, actor: User | None) -> list[Case]:
    """Close every open case of ``customer``, each in its own transaction
    under its lock: a booked call is cancelled, and a last entry (for staff:
    the customer will not read it) says why. A call already under way
    refuses (``SupportError``): it ends within minutes, and the closure is
    run again. Cases closed already are left as they are. Returns the cases
    this call closed."""
    closed = []
    for case in Case.objects.filter(
        customer=customer, status__in=Case.OPEN_STATUSES
    ).order_by("pk"):
        with transaction.atomic():
            case = _locked(case)
            if case.status not in Case.OPEN_STATUSES:
                continue
            callback = calls.active_call(case)
            if callback is not None:
                try:
                    callback_services.cancel_callback(
                        callback=callback,
                        detail=f"cancelled: case {case.pk}'s customer closed "
                        "their account",
                    )
                except TooLateToChange:
                    raise SupportError(str(ON_THE_PHONE)) from None
            _event(
                case,
                Kind.CLOSED,
                actor=actor,
                message=messages.ACCOUNT_CLOSED,
                public=False,
            )
            _set_status(case, Status.CLOSED)
            closed.append(case)
    return closed


@transaction.atomic
def erase_customer_words(*, customer: User) -> None:
    """What the customer wrote on their cases (the description they filed
    and each of their messages) is blanked, and the numbers their calls
    rang are forgotten. What agents wrote, and the decisions and money
    moved, stay for the record. Idempotent."""
    cases = Case.objects.filter(customer=customer)
    cases.exclude(description="").update(description="")
    # Their own words; not the entries in ours (a case closed, a call
    # asked for) that name them as the actor.
    CaseEvent.objects.filter(case__customer=customer, actor=customer).exclude(
        body=""
    ).filter(message="").update(body="")
    calls.forget_numbers(cases=cases)
