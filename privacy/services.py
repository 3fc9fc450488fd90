"""The privacy verbs: a customer's requests about their own data, each
recorded as a ``DataRequest`` (who asked, when, why, what came of it)."""

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from privacy import closure
from privacy.models import DataRequest
from shop.models import User

# Closing an account


def _closure_for(
    *, user: User, requested_by: User, reason: str, key: str
) -> DataRequest:
    """The customer's open closure, or a new one. Two at once make one: the
    database allows one open request of a kind per customer."""
    found = DataRequest.objects.filter(
        user=user, kind=DataRequest.Kind.CLOSURE, status=DataRequest.Status.PENDING
    ).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            return DataRequest.objects.create(
                user=user,
                kind=DataRequest.Kind.CLOSURE,
                requested_by=requested_by,
                reason=reason,
                submission_key=key,
            )
    except IntegrityError:
        # A twin created it first (and may have finished it since).
        return (
            DataRequest.objects.filter(user=user, kind=DataRequest.Kind.CLOSURE)
            .order_by("-pk")
            .first()
        )


def close_account(
    *, user: User, requested_by: User, reason: str = "", submission_key: str = ""
) -> DataRequest:
    """Close ``user``'s account now (``privacy.closure`` says what that
    does), at their own request or, by ``requested_by`` on staff, on their
    written request (``reason`` then required: which request, and why).

    Guarantees:
    - Refused with ``closure.ClosureRefused`` while an order of theirs
      waits to ship, and for staff accounts; nothing is changed then, but a
      refused request is kept (``failed``, with why) for the audit trail.
    - Sent twice (a double click, two tabs, staff and customer at once), it
      closes once: both get the one request, and both runs of its steps
      leave it done once (``closure.run_closure``).
    - Run in the request, step by step; an error in a step (the payment
      provider down) leaves it pending, and the sweep finishes it.
    """
    if requested_by.pk != user.pk:
        if not requested_by.has_perm("privacy.close_account"):
            raise PermissionDenied
        if not reason.strip():
            raise ValueError("Staff close an account on a written request: say which.")
    if user.is_staff or user.is_superuser:
        raise closure.ClosureRefused(
            _("Staff accounts are not closed here: ask an administrator.")
        )
    earlier = DataRequest.objects.filter(
        user=user, kind=DataRequest.Kind.CLOSURE, status=DataRequest.Status.DONE
    ).first()
    if earlier is not None:
        return earlier
    pending = DataRequest.objects.filter(
        user=user, kind=DataRequest.Kind.CLOSURE, status=DataRequest.Status.PENDING
    ).exists()
    why = None if pending else closure.refusal(user)
    if why is not None:
        DataRequest.objects.create(
            user=user,
            kind=DataRequest.Kind.CLOSURE,
            requested_by=requested_by,
            reason=reason.strip(),
            status=DataRequest.Status.FAILED,
            result=why,
            finished_at=timezone.now(),
            submission_key=submission_key,
        )
        raise closure.ClosureRefused(why)
    request = _closure_for(
        user=user, requested_by=requested_by, reason=reason.strip(), key=submission_key
    )
    request = closure.run_closure(request_id=request.pk)
    if request.status == DataRequest.Status.FAILED:
        raise closure.ClosureRefused(request.result)
    return request


def closure_by_submission(submission_key: str) -> DataRequest | None:
    """The closure a confirmation form with this key made: its twin arrives
    signed out (the first closed the account) and is shown the same page."""
    if not submission_key:
        return None
    return (
        DataRequest.objects.filter(
            kind=DataRequest.Kind.CLOSURE, submission_key=submission_key
        )
        .exclude(status=DataRequest.Status.FAILED)
        .first()
    )


def pending_closure(user: User) -> DataRequest | None:
    return DataRequest.objects.filter(
        user=user, kind=DataRequest.Kind.CLOSURE, status=DataRequest.Status.PENDING
    ).first()
