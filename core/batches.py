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
    changed, the loop ends, and a second run changes nothing. Each statement
    is ``UPDATE … WHERE <filter> AND id IN (SELECT id … <filter> LIMIT n)``:
    the filter is checked again on the rows it writes, so a row that
    changed since the batch was chosen is left alone.
    """
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    changed = 0
    while True:
        batch = queryset.order_by("pk").values("pk")[:batch_size]
        with transaction.atomic():
            updated = queryset.filter(pk__in=batch).update(**values)
        changed += updated
        if updated < batch_size:
            return changed
