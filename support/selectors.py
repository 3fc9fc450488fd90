"""Read queries for support pages and the agents' admin."""

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from gifts import selectors as gift_selectors
from gifts.models import Gift
from gifts.selectors import Surprise
from shop.models import Order, OrderLine, User
from support.models import Case, CaseEvent


def order_for_help(*, customer: User, pk: int) -> Order:
    """An order the customer may ask about: theirs, or a gift they received
    that is no longer a surprise.

    ``DoesNotExist`` for anyone else's, and for a gift still a surprise to
    this customer: its page would name the item, so it answers exactly as a
    gift they don't know of yet.
    """
    order = (
        Order.objects.filter(Q(buyer=customer) | Q(gift__recipient=customer))
        .select_related("gift__wishlist")
        .prefetch_related(
            Prefetch(
                "lines",
                queryset=OrderLine.objects.select_related("gift_line").order_by("pk"),
            )
        )
        .distinct()
        .get(pk=pk)
    )
    if gift_selectors.order_hidden_from(order=order, viewer=customer):
        raise Order.DoesNotExist
    return order


def recent_orders(*, customer: User, limit: int = 10) -> QuerySet[Order]:
    return (
        Order.objects.filter(buyer=customer)
        .prefetch_related("lines")
        .order_by("-placed_at")[:limit]
    )


def recent_gifts(*, customer: User, limit: int = 10) -> list[Gift | Surprise]:
    """Gifts the customer received, each a ``Surprise`` until revealed."""
    return gift_selectors.gifts_received(recipient=customer, limit=limit)


def _cases(customer: User) -> QuerySet[Case]:
    return Case.objects.filter(customer=customer).select_related(
        "order_line", "order__gift__wishlist"
    )


def cases_for_customer(*, customer: User, limit: int = 20) -> list[Case]:
    """The customer's latest cases, leaving out any about a gift that has
    become a surprise again (its list's owner moved the date or turned
    protection back on): the case names the item."""
    return [
        case
        for case in _cases(customer)[:limit]
        if not gift_selectors.order_hidden_from(order=case.order, viewer=customer)
    ]


def case_for_customer(*, customer: User, pk: int, timeline: bool = True) -> Case:
    """The customer's case, with its public timeline unless ``timeline`` is
    false (for actions that only change it). ``DoesNotExist`` for anyone
    else's, and while its gift is a surprise to them again: every page,
    call and JSON answer about a case is reached through here."""
    cases = _cases(customer)
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
    if gift_selectors.order_hidden_from(order=case.order, viewer=customer):
        raise Case.DoesNotExist
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
