"""Read queries for the privacy pages."""

from privacy.models import DataRequest
from shop.models import User

# --- Export ------------------------------------------------------------------


def export_for_owner(*, user: User, pk: int) -> DataRequest:
    """One of ``user``'s exports; ``DoesNotExist`` for anyone else's, so
    staff and agents get a 404 like any stranger."""
    return DataRequest.objects.get(pk=pk, user=user, kind=DataRequest.Kind.EXPORT)


def latest_export(*, user: User) -> DataRequest | None:
    """The customer's latest export request, as their data page shows it."""
    return (
        DataRequest.objects.filter(user=user, kind=DataRequest.Kind.EXPORT)
        .order_by("-created_at", "-pk")
        .first()
    )
