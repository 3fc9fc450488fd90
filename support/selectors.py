"""Read queries for support pages, the agents' admin and the services, and
the rules they decide: who may report what about an order line
(``may_file``), when a case is overdue (``overdue``, ``is_overdue``) and how
it stands against its service levels (``sla``, ``sla_breach_counts``)."""

import datetime
import functools
import operator
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.timesince import timesince, timeuntil
from django.utils.translation import gettext

from callbacks import selectors as callback_selectors
from callbacks.models import CallbackRequest
from core import rows
from gifts import selectors as gift_selectors
from gifts.models import Gift, GiftReturn
from gifts.selectors import Surprise
from shop.models import Order, OrderLine, Shipment, User
from support import calls
from support.models import Case, CaseEvent


def _order_for_help(customer: int, pk: int) -> QuerySet[Order]:
    # No DISTINCT: an order has at most one gift, so the join with it never
    # repeats the order (DISTINCT made the database compare every column).
    return (
        Order.objects.filter(Q(buyer=customer) | Q(gift__recipient=customer))
        .exclude(status__in=Order.UNPAID)
        .select_related("gift__wishlist")
        .filter(pk=pk)
    )


def _order_lines(order: int) -> QuerySet[OrderLine]:
    return (
        OrderLine.objects.filter(order=order).select_related("gift_line").order_by("pk")
    )


# Built once per process: "Get help" reads them on every form it posts.
_ORDER_FOR_HELP = rows.Statement(_order_for_help)
_ORDER_LINES = rows.Statement(_order_lines)


def order_for_help(*, customer: User, pk: int) -> Order:
    """An order the customer may ask about: theirs, or a gift they received
    that is no longer a surprise; its lines (with their gift lines) loaded.

    ``DoesNotExist`` for anyone else's, and for a gift still a surprise to
    this customer: its page would name the item, so it answers exactly as a
    gift they don't know of yet.
    """
    order = _ORDER_FOR_HELP.get(customer=customer.pk, pk=pk)
    if gift_selectors.order_hidden_from(order=order, viewer=customer):
        raise Order.DoesNotExist
    rows.attach(order, "lines", _ORDER_LINES.fetch(order=order.pk))
    return order


def recent_orders(*, customer: User, limit: int = 10) -> QuerySet[Order]:
    return (
        Order.objects.filter(buyer=customer)
        .exclude(status__in=Order.UNPAID)
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


def _customer_case(customer: int, pk: int) -> QuerySet[Case]:
    return _cases(customer).filter(pk=pk)


def _public_events(case: int) -> QuerySet[CaseEvent]:
    # Without their actors: the customer's timeline names no agent
    # ("Hoshii support"), so their rows are not read.
    return CaseEvent.objects.filter(case=case, is_public=True)


# Built once per process: every page, call and JSON answer about a case
# reads them.
_CUSTOMER_CASE = rows.Statement(_customer_case)
_PUBLIC_EVENTS = rows.Statement(_public_events)


def case_for_customer(*, customer: User, pk: int, timeline: bool = True) -> Case:
    """The customer's case, with its public timeline (``public_events``)
    unless ``timeline`` is false (for actions that only change it).
    ``DoesNotExist`` for anyone else's, and while its gift is a surprise to
    them again: every page, call and JSON answer about a case is reached
    through here."""
    case = _CUSTOMER_CASE.get(customer=customer.pk, pk=pk)
    if gift_selectors.order_hidden_from(order=case.order, viewer=customer):
        raise Case.DoesNotExist
    case.customer = customer  # the one we filtered by: no query to load it again
    if timeline:
        case.public_events = _PUBLIC_EVENTS.fetch(case=case.pk)
        for event in case.public_events:
            event.case = case
    return case


def _about_this_line(customer: int, order_line: int, problem: str) -> QuerySet[Case]:
    return Case.objects.filter(
        customer=customer,
        order_line=order_line,
        problem=problem,
        status__in=Case.OPEN_STATUSES,
    ).order_by("pk")


def _about_this_line_or_sent(
    customer: int, order_line: int, problem: str, submission_key: str
) -> QuerySet[Case]:
    return Case.objects.filter(
        Q(order_line=order_line, problem=problem, status__in=Case.OPEN_STATUSES)
        | Q(submission_key=submission_key),
        customer=customer,
    ).order_by("pk")


# Built once per process: every filing reads one of them first.
_OPEN_ABOUT_THIS_LINE = rows.Statement(_about_this_line)
_OPEN_ABOUT_THIS_LINE_OR_SENT = rows.Statement(_about_this_line_or_sent)


def case_sent_or_open(
    *, customer: User, submission_key: str, order_line: OrderLine, problem: str
) -> tuple[Case | None, Case | None]:
    """Before filing, in one query: the case this form submission filed if
    it was sent before (``case_for_submission``), and the customer's open
    case about this line and problem (``open_case_for``)."""
    if not submission_key:
        return None, _OPEN_ABOUT_THIS_LINE.first(
            customer=customer.pk, order_line=order_line.pk, problem=problem
        )
    sent = opened = None
    for case in _OPEN_ABOUT_THIS_LINE_OR_SENT.fetch(
        customer=customer.pk,
        order_line=order_line.pk,
        problem=problem,
        submission_key=submission_key,
    ):
        if case.submission_key == submission_key:
            sent = case
        if (
            case.order_line_id == order_line.pk
            and case.problem == problem
            and case.status in Case.OPEN_STATUSES
            and opened is None
        ):
            opened = case
    return sent, opened


def case_for_submission(*, customer: User, submission_key: str) -> Case | None:
    """The case this "Get help" form submission filed, if it was sent before."""
    if not submission_key:
        return None
    return Case.objects.filter(customer=customer, submission_key=submission_key).first()


# --- Who may report what ------------------------------------------------------


@dataclass(frozen=True)
class MayFile:
    """What one customer may report about one order line (``may_file``)."""

    # The problems they may file; none when the line is not theirs to
    # report on (or is a gift still a surprise to them).
    problems: tuple[str, ...]
    # The line is a gift (its owner is its recipient, not its buyer).
    is_gift: bool
    # They gave it: they may only ask where it is.
    as_giver: bool = False


def may_file(*, customer: User, order_line: OrderLine) -> MayFile:
    """The rule of who reports what about a line, decided here and nowhere
    else: the "Get help" page offers it and ``file_case`` enforces it.

    The line's owner (the recipient for a gift, else the buyer) may report
    any problem; the giver of a gift only that it is not delivered; anyone
    else nothing. A gift still a surprise to its recipient is nothing
    either, as if it were not theirs: the answer must not confirm what it is.
    An order not paid for (awaiting payment, cancelled) has nothing to
    report: it has not shipped and will not.
    """
    if not order_line.order.is_paid:
        return MayFile(problems=(), is_gift=False)
    # The line's gift, read once for both rules (no query for a line loaded
    # by ``order_for_help``): hidden while a surprise, else its recipient's.
    gift = gift_selectors.line_gift(order_line=order_line)
    if gift is not None and gift_selectors.is_surprise_for(gift=gift, viewer=customer):
        return MayFile(problems=(), is_gift=False)
    buyer_id = order_line.order.buyer_id
    owner_id = gift.recipient_id if gift is not None else buyer_id
    is_gift = owner_id != buyer_id
    if owner_id == customer.pk:
        return MayFile(problems=tuple(Case.Problem), is_gift=is_gift)
    if is_gift and buyer_id == customer.pk:
        return MayFile(
            problems=(Case.Problem.NOT_DELIVERED,), is_gift=True, as_giver=True
        )
    return MayFile(problems=(), is_gift=is_gift)


@dataclass(frozen=True)
class HelpChoices:
    """What the "Get help" form offers on one order."""

    lines: list[OrderLine]
    problems: list[str]
    # The customer gave this gift: the page asks "Where is my gift?".
    is_giver: bool


def help_choices(
    *, customer: User, order: Order, shipment: str | int | None = None
) -> HelpChoices:
    """The lines and problems ``customer`` may report on ``order`` (loaded
    by ``order_for_help``), by ``may_file``: an order's lines share one
    owner (every line of a gift order is gifted). "Get help" on one parcel
    (``shipment``) offers the items in that parcel.
    ``Order.DoesNotExist`` if there is nothing they may report."""
    lines = list(order.lines.all())
    if not lines:
        raise Order.DoesNotExist
    rule = may_file(customer=customer, order_line=lines[0])
    if not rule.problems:
        raise Order.DoesNotExist
    parcel = order.shipments.filter(pk=shipment).first() if shipment else None
    if parcel is not None:
        in_parcel = set(parcel.lines.values_list("order_line", flat=True))
        lines = [line for line in lines if line.pk in in_parcel] or lines
    return HelpChoices(
        lines=lines,
        problems=[Case.Problem(problem) for problem in rule.problems],
        is_giver=rule.as_giver,
    )


# --- Reads the services decide with --------------------------------------------


def open_case_for(
    *, customer: User, order_line: OrderLine, problem: str
) -> Case | None:
    """The customer's open case about this line and problem (at most one)."""
    return _about_this_line(customer.pk, order_line.pk, problem).first()


def was_refunded(case: Case) -> bool:
    """A case is refunded once: has this one been?"""
    return case.events.filter(kind=CaseEvent.Kind.REFUND).exists()


def gift_line_refunded(*, order_line: OrderLine) -> int:
    """What the recipient already got back for this gift line: refunds on
    any of its cases and credited returns."""
    refunded_cases = Case.objects.filter(
        order_line=order_line, events__kind=CaseEvent.Kind.REFUND
    ).distinct()
    from_cases = sum(c.quantity for c in refunded_cases) * order_line.unit_price
    from_returns = sum(
        r.amount
        for r in GiftReturn.objects.filter(
            gift_line__order_line=order_line, status=GiftReturn.Status.CREDITED
        ).select_related("gift_line__order_line")
    )
    return from_cases + from_returns


def no_proof_reships_this_year(*, customer: User) -> int:
    """Missing-item cases of the customer's in the last 12 months that were
    reshipped automatically, without proof (the yearly allowance)."""
    since = timezone.now() - datetime.timedelta(days=365)
    return (
        Case.objects.filter(
            customer=customer,
            problem=Case.Problem.MISSING_ITEM,
            created_at__gte=since,
            events__kind=CaseEvent.Kind.REPLACEMENT,
            events__actor__isnull=True,
        )
        .distinct()
        .count()
    )


def replacement_sent_with(event: CaseEvent) -> Shipment | None:
    """The parcel made in the same transaction as ``event`` (just before)."""
    return (
        Shipment.objects.filter(
            order_id=event.case.order_id,
            reason=Shipment.Reason.REPLACEMENT,
            lines__order_line_id=event.case.order_line_id,
            created_at__lte=event.created_at,
        )
        .order_by("-created_at", "-pk")
        .first()
    )


# --- Overdue ---------------------------------------------------------------------
# A case is overdue while it is open, nobody has answered it yet, and its
# first response was due before now. ``overdue_condition`` says it to the
# database, ``is_overdue`` of one case in hand; tests hold them together.


def overdue_condition(*, now: datetime.datetime | None = None) -> Q:
    """The overdue rule as a filter, for querysets and aggregates."""
    return Q(
        status__in=Case.OPEN_STATUSES,
        first_responded_at__isnull=True,
        first_response_due_at__lt=now or timezone.now(),
    )


def overdue(
    queryset: QuerySet[Case], *, now: datetime.datetime | None = None
) -> QuerySet[Case]:
    """Open cases still waiting for a first response past their due time."""
    return queryset.filter(overdue_condition(now=now))


def is_overdue(case: Case, *, now: datetime.datetime | None = None) -> bool:
    """The overdue rule (``overdue_condition``) for one case in hand."""
    return (
        case.status in Case.OPEN_STATUSES
        and case.first_responded_at is None
        and case.first_response_due_at < (now or timezone.now())
    )


# --- Service levels --------------------------------------------------------------
# Each problem has two targets (settings, docs/support.md#service-levels): a
# first response from an agent, and the case resolved, both counted from
# filing. ``sla`` says where one case stands, for its page;
# ``resolution_breached_condition`` and ``overdue_condition`` say the same to
# the database, and ``sla_breach_counts`` counts with them for the desk home.


def sla_targets(problem: str) -> tuple[datetime.timedelta, datetime.timedelta]:
    """The first-response and resolution targets of a problem."""
    first = settings.SUPPORT_FIRST_RESPONSE_HOURS.get(
        problem, settings.SUPPORT_DEFAULT_FIRST_RESPONSE_HOURS
    )
    resolution = settings.SUPPORT_RESOLUTION_HOURS.get(
        problem, settings.SUPPORT_DEFAULT_RESOLUTION_HOURS
    )
    return datetime.timedelta(hours=first), datetime.timedelta(hours=resolution)


@dataclass(frozen=True)
class Sla:
    """Where one case stands against its targets at ``now``.

    A target is *met* when it was reached by its due time, *breached* when
    it was reached late or is still running past it; a target that stopped
    without being reached (a case closed without a reply) is neither. A
    target still running has ``…_left``: the time to its due time, negative
    once over."""

    now: datetime.datetime
    first_response_due: datetime.datetime
    first_responded_at: datetime.datetime | None
    first_response_met: bool
    first_response_breached: bool
    first_response_left: datetime.timedelta | None
    resolution_due: datetime.datetime
    resolution_met: bool
    resolution_breached: bool
    resolution_left: datetime.timedelta | None

    @property
    def first_response_over(self) -> bool:
        return self.first_response_left is not None and self.first_response_left < (
            datetime.timedelta(0)
        )

    @property
    def resolution_over(self) -> bool:
        return self.resolution_left is not None and self.resolution_left < (
            datetime.timedelta(0)
        )


def sla(case: Case, *, now: datetime.datetime | None = None) -> Sla:
    """The service levels of one case in hand, without a query.

    First response: due at ``case.first_response_due_at`` (fixed at filing),
    met by the first agent reply; it runs while the case is open and
    unanswered, and is breached past its due time exactly when the case is
    overdue (``is_overdue``). Resolution: due ``SUPPORT_RESOLUTION_HOURS``
    after filing; it runs while the case is open and is met when the case
    is resolved by then."""
    now = now or timezone.now()
    _first, resolution = sla_targets(case.problem)
    first_due = case.first_response_due_at
    resolution_due = case.created_at + resolution
    answered = case.first_responded_at
    resolved = None if case.is_open else case.resolved_at
    first_running = case.is_open and answered is None
    return Sla(
        now=now,
        first_response_due=first_due,
        first_responded_at=answered,
        first_response_met=answered is not None and answered <= first_due,
        first_response_breached=(answered is not None and answered > first_due)
        or (first_running and now > first_due),
        first_response_left=first_due - now if first_running else None,
        resolution_due=resolution_due,
        resolution_met=resolved is not None and resolved <= resolution_due,
        resolution_breached=(resolved is not None and resolved > resolution_due)
        or (case.is_open and now > resolution_due),
        resolution_left=resolution_due - now if case.is_open else None,
    )


def resolution_breached_condition(*, now: datetime.datetime | None = None) -> Q:
    """Open cases past their resolution due time, as a filter: one term per
    problem, since each has its own target."""
    now = now or timezone.now()
    late = [
        Q(problem=problem, created_at__lt=now - sla_targets(problem)[1])
        for problem in Case.Problem.values
    ]
    return Q(status__in=Case.OPEN_STATUSES) & functools.reduce(operator.or_, late)


@dataclass(frozen=True)
class SlaBreaches:
    """Open cases in breach now, by target: the ones an agent can still
    put right (a case answered late is no longer counted as waiting)."""

    first_response: int
    resolution: int


def sla_breach_counts(*, now: datetime.datetime | None = None) -> SlaBreaches:
    """How many open cases are past their first-response due time with no
    reply (the overdue ones) and past their resolution due time: one query,
    whatever the number of cases."""
    now = now or timezone.now()
    counts = Case.objects.filter(status__in=Case.OPEN_STATUSES).aggregate(
        first_response=Count("pk", filter=overdue_condition(now=now)),
        resolution=Count("pk", filter=resolution_breached_condition(now=now)),
    )
    return SlaBreaches(**counts)


def case_counts_by_status() -> dict[str, int]:
    """How many cases are in each status, every status named (zero for
    none): one query."""
    counts = dict(
        Case.objects.order_by().values_list("status").annotate(count=Count("pk"))
    )
    return {status: counts.get(status, 0) for status in Case.Status.values}


# --- The agents' queues ---------------------------------------------------------


def queue_conditions(
    *, agent: User, now: datetime.datetime | None = None
) -> dict[str, Q]:
    """The agents' queues as filters, by name: the changelist lists and
    counts them from here. "mine" is ``agent``'s open cases; "overdue" is
    as of ``now``."""
    open_cases = Q(status__in=Case.OPEN_STATUSES)
    return {
        "mine": open_cases & Q(assigned_to=agent),
        "unassigned": open_cases & Q(assigned_to__isnull=True),
        "overdue": overdue_condition(now=now),
        "open": open_cases,
    }


def queue_counts(
    *,
    agent: User,
    names: tuple[str, ...] = ("open", "unassigned", "overdue"),
    now: datetime.datetime | None = None,
) -> dict[str, int]:
    """How many cases each of the queues ``names`` holds (the case list
    header's by default). Every queue is of open cases, so the status index
    narrows the scan to them first (on 110,000 cases, 29 → 6 ms)."""
    queues = queue_conditions(agent=agent, now=now)
    return Case.objects.filter(status__in=Case.OPEN_STATUSES).aggregate(
        **{name: Count("pk", filter=queues[name]) for name in names}
    )


# --- The case list's columns ------------------------------------------------------


def with_last_activity(queryset: QuerySet[Case]) -> QuerySet[Case]:
    """Each case with ``last_activity_at``, its latest timeline entry's
    time (in the same query: the list costs the same for any number)."""
    latest = CaseEvent.objects.filter(case=OuterRef("pk")).order_by("-created_at")
    return queryset.annotate(last_activity_at=Subquery(latest.values("created_at")[:1]))


def first_response_words(
    case: Case, *, now: datetime.datetime | None = None
) -> tuple[str, bool]:
    """The first response's due time as the list says it, to the largest
    unit ("2 hours"): the time left, or the time over and True when the case
    is overdue (``is_overdue``); blank once answered or no longer open."""
    now = now or timezone.now()
    if not case.is_open or case.first_responded_at is not None:
        return "", False
    if is_overdue(case, now=now):
        over = timesince(case.first_response_due_at, now, depth=1)
        return gettext("%(time)s over") % {"time": over}, True
    left = timeuntil(case.first_response_due_at, now, depth=1)
    return gettext("%(time)s left") % {"time": left}, False


def ago_words(
    moment: datetime.datetime, *, now: datetime.datetime | None = None
) -> str:
    """How long ago, in the agent's language ("3 hours ago")."""
    return gettext("%(time)s ago") % {"time": timesince(moment, now, depth=1)}


# --- The desk home ----------------------------------------------------------------
# What an agent's desk counts, decided here only: the desk page, its JSON
# and the banner on every admin page all read it from ``desk_counts`` (or,
# for the banner alone, ``callers_waiting``), in a constant number of
# queries whatever the number of cases and calls.

# Calls booked within this long count as "due soon" on the desk.
CALLS_DUE_WITHIN = datetime.timedelta(minutes=15)


@dataclass(frozen=True)
class DeskCounts:
    # Support callers on hold whom no agent has taken ("Connect me" would).
    waiting: int
    # Support calls booked and not yet placed, due within CALLS_DUE_WITHIN
    # (those already due included: the dialer has yet to place them).
    calls_due: int
    # Cases by the overdue rule (``overdue_condition``).
    overdue: int
    # Open cases nobody is assigned to, and the agent's own open cases
    # (``queue_conditions``).
    unassigned: int
    mine: int


def _support_calls() -> dict:
    return {"queue": calls.QUEUE, "subject_prefix": calls.SUBJECT_PREFIX}


def calls_due_condition(*, now: datetime.datetime | None = None) -> Q:
    """Support calls due within ``CALLS_DUE_WITHIN`` of ``now``, as a filter."""
    before = (now or timezone.now()) + CALLS_DUE_WITHIN
    return callback_selectors.due_condition(**_support_calls(), before=before)


def callers_waiting() -> int:
    """How many support callers wait for an agent to take them (one query):
    the banner on every admin page."""
    return CallbackRequest.objects.filter(
        callback_selectors.untaken_condition(**_support_calls())
    ).count()


def desk_counts(*, agent: User, now: datetime.datetime | None = None) -> DeskCounts:
    """Everything the desk home counts, for ``agent``, in two queries."""
    now = now or timezone.now()
    cases = queue_counts(agent=agent, names=("overdue", "unassigned", "mine"), now=now)
    phone = CallbackRequest.objects.aggregate(
        waiting=Count(
            "pk", filter=callback_selectors.untaken_condition(**_support_calls())
        ),
        calls_due=Count("pk", filter=calls_due_condition(now=now)),
    )
    return DeskCounts(**cases, **phone)


def calls_due(*, now: datetime.datetime | None = None, limit: int = 50) -> list:
    """The support calls ``calls_due_condition`` counts, soonest first (at
    most ``limit``), each with its case (None if it is gone): two queries."""
    due = list(
        CallbackRequest.objects.filter(calls_due_condition(now=now)).order_by(
            "due_at", "pk"
        )[:limit]
    )
    cases = Case.objects.select_related("customer", "order_line").in_bulk(
        [calls.case_id_from(callback.subject) for callback in due]
    )
    return [
        (callback, cases.get(calls.case_id_from(callback.subject))) for callback in due
    ]


def number_to_call(case: Case):
    """The number an agent calls the customer back on: the one they gave
    for their latest call about this case, else the one on their profile;
    None if they gave none. Never a shipping address's phone: on a gift
    that is someone else's."""
    latest = calls.latest_call(case)
    if latest is not None and latest.number:
        return latest.number
    return case.customer.phone or None


def open_cases_and_calls(*, customer: User) -> list[tuple[Case, object]]:
    """The customer's open cases, each with its booked or running call (or
    None): what closing their account would close and cancel."""
    cases = Case.objects.filter(
        customer=customer, status__in=Case.OPEN_STATUSES
    ).select_related("order_line")
    return [(case, calls.active_call(case)) for case in cases.order_by("pk")]
