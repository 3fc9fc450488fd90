"""Issue #16: service levels. Each problem has a first-response and a
resolution target (settings); ``selectors.sla`` says where one case stands,
``selectors.sla_breach_counts`` counts the open cases in breach, and the
case page shows it. The clock is frozen: ``timezone.now`` is the test's."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from shop.models import Product
from support import selectors, services
from support.models import Case
from tests.shop.factories import ProductFactory, UserFactory, deliver, placed_order
from tests.support.factories import CaseFactory, file_question

pytestmark = pytest.mark.django_db

P = Case.Problem
HOUR = datetime.timedelta(hours=1)
TICK = datetime.timedelta(microseconds=1)
T0 = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def advance(self, delta: datetime.timedelta) -> None:
        self.now += delta


@pytest.fixture
def clock(monkeypatch):
    """``timezone.now`` frozen at ``T0`` until the test moves it on."""
    frozen = Clock()
    monkeypatch.setattr(timezone, "now", lambda: frozen.now)
    return frozen


@pytest.fixture
def agent_user():
    return UserFactory(is_staff=True)


def question() -> Case:
    """A "something else" case: 24 hours to a first response, 72 to resolve."""
    return file_question(placed_order().lines.get(), "Does the lid come off?")


def bare_case(problem: str, *, filed_hours_ago: float, now: datetime.datetime):
    """A case of ``problem`` filed that long before ``now``, as filing sets
    it (first response due after the problem's target)."""
    filed = now - datetime.timedelta(hours=filed_hours_ago)
    first, _resolution = selectors.sla_targets(problem)
    case = CaseFactory(problem=problem, first_response_due_at=filed + first)
    Case.objects.filter(pk=case.pk).update(created_at=filed)
    case.refresh_from_db()
    return case


def in_breach_in_database(case: Case, now: datetime.datetime) -> bool:
    rows = Case.objects.filter(pk=case.pk)
    return rows.filter(selectors.resolution_breached_condition(now=now)).exists()


# --- Targets -----------------------------------------------------------------


def test_each_problem_has_its_targets_from_the_settings(settings):
    assert selectors.sla_targets(P.MISSING_ITEM) == (4 * HOUR, 24 * HOUR)
    assert selectors.sla_targets(P.OTHER) == (24 * HOUR, 72 * HOUR)
    settings.SUPPORT_RESOLUTION_HOURS = {**settings.SUPPORT_RESOLUTION_HOURS}
    settings.SUPPORT_RESOLUTION_HOURS["other"] = 12
    assert selectors.sla_targets(P.OTHER) == (24 * HOUR, 12 * HOUR)
    del settings.SUPPORT_RESOLUTION_HOURS["other"]
    assert selectors.sla_targets(P.OTHER) == (24 * HOUR, 72 * HOUR)  # the default


def test_filing_sets_the_first_response_due_from_the_problems_target(clock):
    case = question()
    assert case.first_response_due_at == T0 + 24 * HOUR
    order = placed_order()
    deliver(order)
    missing = services.file_case(
        customer=order.buyer, order_line=order.lines.get(), problem=P.MISSING_ITEM
    )
    assert missing.first_response_due_at == T0 + 4 * HOUR


# --- One case ---------------------------------------------------------------------


def test_a_new_case_has_its_whole_time_left(clock):
    sla = selectors.sla(question())
    assert (sla.first_response_due, sla.resolution_due) == (
        T0 + 24 * HOUR,
        T0 + 72 * HOUR,
    )
    assert (sla.first_response_left, sla.resolution_left) == (24 * HOUR, 72 * HOUR)
    assert not (sla.first_response_met or sla.first_response_breached)
    assert not (sla.resolution_met or sla.resolution_breached)


def test_an_unanswered_case_breaches_its_first_response_just_after_it_is_due(clock):
    case = question()
    clock.advance(24 * HOUR)
    assert not selectors.sla(case).first_response_breached  # due now: not yet late
    clock.advance(TICK)
    sla = selectors.sla(case)
    assert sla.first_response_breached and sla.first_response_over
    assert selectors.is_overdue(case)  # the same rule as "overdue"
    clock.advance(HOUR - TICK)
    assert selectors.sla(case).first_response_left == -HOUR


def test_a_reply_in_time_meets_the_first_response_for_good(clock, agent_user):
    case = question()
    clock.advance(2 * HOUR)
    services.reply(case=case, actor=agent_user, body="On it.")
    case.refresh_from_db()
    clock.advance(100 * HOUR)
    sla = selectors.sla(case)
    assert sla.first_response_met and not sla.first_response_breached
    assert sla.first_responded_at == T0 + 2 * HOUR
    assert sla.first_response_left is None
    # Still open and now past its resolution due time.
    assert sla.resolution_breached and sla.resolution_left == -30 * HOUR


def test_a_late_reply_leaves_the_first_response_breached(clock, agent_user):
    case = question()
    clock.advance(30 * HOUR)
    services.reply(case=case, actor=agent_user, body="Sorry for the wait.")
    case.refresh_from_db()
    sla = selectors.sla(case)
    assert sla.first_response_breached and not sla.first_response_met
    assert sla.first_response_left is None and not sla.first_response_over


def test_resolved_in_time_meets_the_resolution_also_once_closed(clock, agent_user):
    case = question()
    clock.advance(10 * HOUR)
    services.resolve(case=case, actor=agent_user)
    clock.advance(200 * HOUR)
    services.close(case=case, actor=agent_user)
    case.refresh_from_db()
    sla = selectors.sla(case)
    assert sla.resolution_met and not sla.resolution_breached
    assert sla.resolution_left is None
    # Settled without a reply: the first response was not needed.
    assert not (sla.first_response_met or sla.first_response_breached)
    assert sla.first_response_left is None


def test_resolved_late_is_a_breached_resolution(clock, agent_user):
    case = question()
    clock.advance(80 * HOUR)
    services.resolve(case=case, actor=agent_user)
    case.refresh_from_db()
    sla = selectors.sla(case)
    assert sla.resolution_breached and not sla.resolution_met
    assert sla.resolution_left is None


def test_closed_without_being_resolved_stops_both_clocks(clock, agent_user):
    case = question()
    clock.advance(HOUR)
    services.close(case=case, actor=agent_user)
    case.refresh_from_db()
    clock.advance(1000 * HOUR)
    sla = selectors.sla(case)
    assert not (sla.resolution_met or sla.resolution_breached)
    assert not (sla.first_response_met or sla.first_response_breached)
    assert (sla.first_response_left, sla.resolution_left) == (None, None)


def test_reopening_starts_the_resolution_clock_again(clock, agent_user):
    case = question()
    services.resolve(case=case, actor=agent_user)
    clock.advance(100 * HOUR)
    services.reopen(case=case, actor=agent_user)
    case.refresh_from_db()
    sla = selectors.sla(case)
    assert not sla.resolution_met
    assert sla.resolution_breached and sla.resolution_left == -28 * HOUR


def test_papers_posted_at_filing_meet_the_resolution_at_once(clock):
    product = ProductFactory(documents=Product.Documents.BOTH)
    order = placed_order(None, (product, 1))
    deliver(order)
    case = services.file_case(
        customer=order.buyer,
        order_line=order.lines.get(),
        problem=P.MISSING_DOCUMENTS,
    )
    sla = selectors.sla(case)
    assert case.status == Case.Status.RESOLVED
    assert sla.resolution_met and sla.resolution_due == T0 + 48 * HOUR


@pytest.mark.parametrize("problem", P.values)
def test_the_database_and_the_case_in_hand_agree_on_a_breached_resolution(
    clock, problem
):
    _first, resolution = selectors.sla_targets(problem)
    case = bare_case(problem, filed_hours_ago=0, now=T0)
    due = T0 + resolution
    for now, expected in ((due - TICK, False), (due, False), (due + TICK, True)):
        assert selectors.sla(case, now=now).resolution_breached is expected
        assert in_breach_in_database(case, now) is expected


# --- Breach counts for the desk home ------------------------------------------


def test_breach_counts_count_open_cases_past_each_target(clock, agent_user):
    # Missing item: 4 h to a first response, 24 h to resolve.
    bare_case(P.MISSING_ITEM, filed_hours_ago=3, now=T0)  # within both
    bare_case(P.MISSING_ITEM, filed_hours_ago=5, now=T0)  # first response late
    bare_case(P.MISSING_ITEM, filed_hours_ago=25, now=T0)  # both late
    # Something else: 24 h and 72 h.
    bare_case(P.OTHER, filed_hours_ago=25, now=T0)  # first response late
    answered = bare_case(P.OTHER, filed_hours_ago=73, now=T0)  # resolution late
    Case.objects.filter(pk=answered.pk).update(first_responded_at=T0 - 72 * HOUR)
    settled = bare_case(P.OTHER, filed_hours_ago=100, now=T0)  # not open
    Case.objects.filter(pk=settled.pk).update(status=Case.Status.RESOLVED)

    counts = selectors.sla_breach_counts()
    assert counts == selectors.SlaBreaches(first_response=3, resolution=2)
    # The same as asking each open case in hand.
    open_cases = list(Case.objects.filter(status__in=Case.OPEN_STATUSES))
    slas = [selectors.sla(case) for case in open_cases]
    assert counts.first_response == sum(s.first_response_over for s in slas)
    assert counts.resolution == sum(s.resolution_over for s in slas)


def test_breach_counts_take_one_query_however_many_cases(
    clock, django_assert_num_queries
):
    for hours in (1, 5, 30, 80):
        bare_case(P.OTHER, filed_hours_ago=hours, now=T0)
    with django_assert_num_queries(1):
        few = selectors.sla_breach_counts()
    for hours in range(12):
        bare_case(P.DAMAGED, filed_hours_ago=hours * 10, now=T0)
    with django_assert_num_queries(1):
        many = selectors.sla_breach_counts()
    assert few == selectors.SlaBreaches(first_response=2, resolution=1)
    # Damaged: 8 h and 48 h; filed 0, 10, …, 110 hours ago.
    assert many == selectors.SlaBreaches(first_response=2 + 11, resolution=1 + 7)


# --- The case page -------------------------------------------------------------


def test_the_case_page_shows_time_left_and_time_over(agent_client, clock):
    case = question()
    url = reverse("admin:support_case_change", args=[case.pk])
    page = agent_client.get(url).content.decode()
    assert "First response" in page and "Resolution" in page
    assert "1\xa0day left" in page and "3\xa0days left" in page
    clock.advance(26 * HOUR)
    page = agent_client.get(url).content.decode()
    assert "breached, 2\xa0hours over" in page
    assert "1\xa0day, 22\xa0hours left" in page
    assert 'class="sla-breached"' in page
