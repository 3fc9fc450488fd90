"""The verbs of a customer's data requests: each a transaction, each writing
the request row that is also the audit trail (who asked, when, why)."""

import datetime
import logging

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from core.submissions import create_once
from privacy import emails, export, tasks
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
