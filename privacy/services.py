"""The verbs of a customer's data requests: each a transaction, each writing
the request row that is also the audit trail (who asked, when, why)."""

import datetime
import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core.submissions import create_once
from privacy import closure, emails, export, tasks
from privacy.exceptions import ReasonRequired
from privacy.models import DataRequest
from shop.models import User

logger = logging.getLogger(__name__)

# --- Export ------------------------------------------------------------------


def export_storage():
    """The private storage exports are kept in (``STORAGES["exports"]``)."""
    return storages["exports"]


def request_export(
    *,
    user: User,
    requested_by: User,
    reason: str = "",
    submission_key: str = "",
) -> DataRequest:
    """Ask for an export of ``user``'s data, by the customer themself or by
    staff on their written request (then ``reason`` is required: which
    request, and why).

    Guarantees: at most one export is being prepared per customer (the
    open-request constraint), so a request while one is pending returns that
    one; the same form sent twice (``submission_key``) returns the first
    request, also after it was built; two at the same moment make one row,
    the twin waiting on the unique index and then reading the first. The
    build is queued after commit (``privacy.tasks.build_export``), and the
    customer, never staff, is emailed when it is ready.
    """
    reason = reason.strip()
    if requested_by.pk != user.pk and not reason:
        raise ReasonRequired
    mine = DataRequest.objects.filter(user=user, kind=DataRequest.Kind.EXPORT)
    found = mine.filter(Q(status=DataRequest.Status.PENDING))
    if submission_key:
        found = mine.filter(
            Q(status=DataRequest.Status.PENDING) | Q(submission_key=submission_key)
        )
    with transaction.atomic():
        data_request, created = create_once(
            found.order_by("-created_at", "-pk"),
            lambda: DataRequest.objects.create(
                user=user,
                kind=DataRequest.Kind.EXPORT,
                requested_by=requested_by,
                reason=reason,
                submission_key=submission_key,
            ),
        )
        if created:
            transaction.on_commit(
                lambda: tasks.build_export.delay(request_id=data_request.pk)
            )
    return data_request


def _file_name(data_request: DataRequest) -> str:
    # One name per request: a second build overwrites, never adds a file.
    return f"{data_request.user_id}/export-{data_request.pk}.zip"


def build_export(*, request_id: int) -> DataRequest:
    """Build the export's ZIP, store it privately, and mark it done until
    ``PRIVACY_EXPORT_DAYS`` from now; then (after commit) email its owner.

    Guarantees: the row is locked while it is built, and only a pending
    request is built, so a task run twice (or by two workers) builds it
    once; a build that fails marks the request failed (the customer may ask
    again) and is logged.
    """
    try:
        with transaction.atomic():
            data_request = (
                DataRequest.objects.select_for_update()
                .select_related("user")
                .get(pk=request_id)
            )
            if (
                data_request.kind != DataRequest.Kind.EXPORT
                or data_request.status != DataRequest.Status.PENDING
            ):
                return data_request
            content = export.build_zip(data_request.user)
            storage = export_storage()
            name = _file_name(data_request)
            if storage.exists(name):
                storage.delete(name)
            data_request.file_name = storage.save(name, ContentFile(content))
            now = timezone.now()
            data_request.status = DataRequest.Status.DONE
            data_request.finished_at = now
            data_request.expires_at = now + datetime.timedelta(
                days=settings.PRIVACY_EXPORT_DAYS
            )
            data_request.save(
                update_fields=["file_name", "status", "finished_at", "expires_at"]
            )
            transaction.on_commit(
                lambda: tasks.email_export_ready.delay(request_id=data_request.pk)
            )
            return data_request
    except Exception:
        logger.exception("Data export %s failed", request_id)
        DataRequest.objects.filter(
            pk=request_id, status=DataRequest.Status.PENDING
        ).update(status=DataRequest.Status.FAILED, finished_at=timezone.now())
        return DataRequest.objects.get(pk=request_id)


def email_export_ready(*, request_id: int) -> None:
    """Tell the customer their export is ready, with the link to it; once,
    however often it runs (the row is locked, stamped in the same
    transaction, and skipped by a twin that finds it locked)."""
    with transaction.atomic():
        data_request = (
            DataRequest.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("user")
            .filter(
                pk=request_id,
                status=DataRequest.Status.DONE,
                emailed_at__isnull=True,
            )
            .first()
        )
        if data_request is None or data_request.is_expired:
            return
        emails.send_export_ready(data_request)
        data_request.emailed_at = timezone.now()
        data_request.save(update_fields=["emailed_at"])


# --- Closing an account ------------------------------------------------------


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
            # No submission key: a refusal changes nothing, and its twin
            # (a double click) is refused again, as it should be.
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
