"""Read queries for support pages and the agents' admin."""

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from gifts.models import Gift, GiftLine
from shop.models import Order, OrderLine, User
from support.models import Case, CaseEvent


def order_for_help(*, customer: User, pk: int) -> Order:
    """An order the customer may ask about: theirs, or a gift they received.

    ``DoesNotExist`` for anyone else's, as if it did not exist.
    """
    return (
        Order.objects.filter(Q(buyer=customer) | Q(gift__recipient=customer))
        .select_related("gift")
        .prefetch_related(
            Prefetch(
                "lines",
                queryset=OrderLine.objects.select_related("gift_line").order_by("pk"),
            )
        )
        .distinct()
        .get(pk=pk)
    )


def recent_orders(*, customer: User, limit: int = 10) -> QuerySet[Order]:
    return (
        Order.objects.filter(buyer=customer)
        .prefetch_related("lines")
        .order_by("-placed_at")[:limit]
    )


def recent_gifts(*, customer: User, limit: int = 10) -> QuerySet[Gift]:
    return (
        Gift.objects.filter(recipient=customer)
        .select_related("order", "wishlist")
        .prefetch_related(
            Prefetch("lines", queryset=GiftLine.objects.select_related("order_line"))
        )
        .order_by("-created_at")[:limit]
    )


def cases_for_customer(*, customer: User) -> QuerySet[Case]:
    return Case.objects.filter(customer=customer).select_related("order_line", "order")


def case_for_customer(*, customer: User, pk: int, timeline: bool = True) -> Case:
    """The customer's case, with its public timeline unless ``timeline`` is
    false (for actions that only change it)."""
    cases = Case.objects.filter(customer=customer).select_related("order_line", "order")
    if timeline:
        cases = cases.prefetch_related(
            Prefetch(
                "events",
                queryset=CaseEvent.objects.filter(is_public=True).select_related(
                    "actor"
                ),
                to_attr="public_events",
            )
        )
    case = cases.get(pk=pk)
    case.customer = customer  # the one we filtered by: no query to load it again
    return case


def case_for_submission(*, customer: User, submission_key: str) -> Case | None:
    """The case this "Get help" form submission filed, if it was sent before."""
    if not submission_key:
        return None
    return Case.objects.filter(customer=customer, submission_key=submission_key).first()


def overdue(queryset: QuerySet[Case]) -> QuerySet[Case]:
    """Open cases still waiting for a first response past their due time."""
    return queryset.filter(
        status__in=Case.OPEN_STATUSES,
        first_responded_at__isnull=True,
        first_response_due_at__lt=timezone.now(),
    )
