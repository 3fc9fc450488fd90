"""Bulk writes in batches: one ``UPDATE`` per batch of rows, never one per
row, and never one statement (and one long lock) over a whole table."""

from django.db import transaction
from django.db.models import QuerySet

DEFAULT_BATCH_SIZE = 1000


def update_in_batches(
    queryset: QuerySet, *, batch_size: int = DEFAULT_BATCH_SIZE, **values
) -> int:
    """Set ``values`` on every row of ``queryset``, ``batch_size`` rows per
    statement, each batch its own short transaction; returns the rows
    changed.

    ``queryset`` must no longer match a row once ``values`` are written
    (filter on the value you write), so that each batch takes rows not yet
    changed, the loop ends, and a second run changes nothing.

    Guarantees: two queries per batch, however many rows (a ``SELECT … FOR
    UPDATE SKIP LOCKED`` of the batch's ids, then one ``UPDATE`` of them).
    Two runs at once take different rows and change each row once: a row
    the other run holds is skipped, and one it has changed no longer
    matches when the next batch is chosen.
    """
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    manager = queryset.model._default_manager
    changed = 0
    while True:
        with transaction.atomic():
            ids = list(
                queryset.order_by("pk")
                .select_for_update(skip_locked=True, of=("self",))
                .values_list("pk", flat=True)[:batch_size]
            )
            if ids:
                changed += manager.filter(pk__in=ids).update(**values)
        if len(ids) < batch_size:
            return changed
