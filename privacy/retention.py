"""Retention: personal data removed once it no longer serves its purpose.

Each kind of data is removed by the app that holds it (its own service),
counted from the event that ends its use; this module runs them all, in
batches, and is safe to run any number of times. What we keep, why and for
how long: ``docs/privacy.md#retention``.
"""

import datetime
import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from gifts import services as gift_services
from privacy.models import DataRequest
from privacy.services import export_storage
from support import services as support_services

logger = logging.getLogger(__name__)


def purge_expired_exports(*, now: datetime.datetime, batch_size: int) -> int:
    """Delete the file of every export whose ``expires_at`` has passed (in
    the private exports storage, ``privacy.services.export_storage``), and
    blank its ``file_name``; the request row stays, as the record of what
    was asked and done.

    Guarantees: one ``SELECT`` and one ``UPDATE`` per batch of exports; the
    file is deleted before the row forgets it, so a crash in between leaves
    a row whose next run deletes nothing (already gone) and blanks it; a
    second run changes nothing. Returns how many export files were deleted.
    """
    expired = DataRequest.objects.filter(
        kind=DataRequest.Kind.EXPORT, expires_at__lte=now
    ).exclude(file_name="")
    storage = export_storage()
    purged = 0
    while True:
        batch = dict(expired.order_by("pk").values_list("pk", "file_name")[:batch_size])
        for name in batch.values():
            # A file already gone (a crash after its delete) is fine.
            storage.delete(name)
        with transaction.atomic():
            purged += expired.filter(pk__in=batch).update(file_name="")
        if len(batch) < batch_size:
            return purged


def purge_expired_personal_data(
    *, now: datetime.datetime | None = None, batch_size: int | None = None
) -> dict[str, int]:
    """Remove everything past its retention window; returns how many of
    each kind were removed. The windows are settings (``GIFT_RETURN_DAYS``,
    ``GIFT_THANK_YOU_DAYS``, ``SUPPORT_CALL_NUMBER_DAYS``, an export's
    ``expires_at``).

    Guarantees: every step writes one ``UPDATE`` per batch of
    ``batch_size`` rows (``PRIVACY_RETENTION_BATCH_SIZE``), so the query
    count does not grow with the rows due; each step skips what it already
    removed, and batches are claimed with ``SKIP LOCKED``, so running it
    twice, or two runs at once, removes each thing once.
    """
    now = now or timezone.now()
    batch_size = batch_size or settings.PRIVACY_RETENTION_BATCH_SIZE
    counts = {
        "recipient_addresses": gift_services.forget_recipient_addresses(
            now=now, batch_size=batch_size
        ),
        "giver_addresses": gift_services.forget_giver_addresses(
            now=now, batch_size=batch_size
        ),
        "call_numbers": support_services.forget_call_numbers(
            now=now, batch_size=batch_size
        ),
        "exports": purge_expired_exports(now=now, batch_size=batch_size),
    }
    logger.info(
        "Retention: removed %s recipient address(es), %s shared giver "
        "address(es), %s call number(s), %s export file(s)",
        counts["recipient_addresses"],
        counts["giver_addresses"],
        counts["call_numbers"],
        counts["exports"],
    )
    return counts
