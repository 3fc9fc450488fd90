"""The desk home in the admin: what it counts (callers waiting, calls due
soon, overdue, unassigned and the agent's own cases), who may see it, the
JSON its page and banner poll, the banner on every admin page, and what it
costs in queries."""

import datetime
import itertools

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from benchmarks.desk import worked_case
from callbacks.models import CallbackRequest
from support import calls, selectors
from support.models import Case
from tests.config.test_csp import assert_keeps_to_the_policy
from tests.queries import assert_same_queries, queries_for
from tests.shop.factories import (
    ProductFactory,
    UserFactory,
    placed_order,
    sign_in_staff,
)
from tests.support.factories import CaseFactory

pytestmark = pytest.mark.django_db

DESK = "admin:support_case_desk"
DESK_JSON = "admin:support_case_desk_json"
CHANGELIST = "admin:support_case_changelist"
S = CallbackRequest.State
HOUR = datetime.timedelta(hours=1)
_subjects = itertools.count(900_000)


def support_call(case=None, *, state=S.SCHEDULED, due_in=HOUR, **fields):
    """A support call about ``case`` (or a case of no concern to the test),
    as the callbacks app leaves the row in ``state``."""
    case_id = case.pk if case is not None else next(_subjects)
    return CallbackRequest.objects.create(
        subject=fields.pop("subject", f"{calls.SUBJECT_PREFIX}{case_id}"),
        number="+819012345678",
        script="Hello",
        queue=fields.pop("queue", calls.QUEUE),
        state=state,
        due_at=timezone.now() + due_in,
        **fields,
    )


def caller_waiting(case=None, **fields):
    """A caller who answered, heard the greeting and waits for an agent."""
    return support_call(
        case,
        state=S.IN_PROGRESS,
        due_in=-HOUR,
        enqueued_at=timezone.now() - datetime.timedelta(seconds=30),
        **fields,
    )


def desk(client):
    response = client.get(reverse(DESK))
    assert response.status_code == 200
    return response


def tile_counts(response) -> dict[str, int]:
    return {name: count for name, _label, _url, count in response.context["tiles"]}


def listed(client, query):
    response = client.get(reverse(CHANGELIST) + query)
    assert response.status_code == 200
    return {case.pk for case in response.context["cl"].result_list}


# --- What the desk counts -----------------------------------------------------


def test_the_desk_counts_each_category_by_its_rule(agent_client, agent):
    colleague = UserFactory(is_staff=True)
    now = timezone.now()
    unassigned = CaseFactory(first_response_due_at=now + HOUR)
    overdue = CaseFactory(first_response_due_at=now - HOUR)
    mine = CaseFactory(assigned_to=agent, first_response_due_at=now + HOUR)
    mine_and_overdue = CaseFactory(assigned_to=agent, first_response_due_at=now - HOUR)
    CaseFactory(assigned_to=colleague, first_response_due_at=now + HOUR)
    # Answered in time, though the due time has passed: not overdue.
    CaseFactory(
        assigned_to=colleague,
        first_response_due_at=now - HOUR,
        first_responded_at=now - 2 * HOUR,
    )
    # Resolved and closed cases count nowhere, mine or not, late or not.
    for status in (Case.Status.RESOLVED, Case.Status.CLOSED):
        CaseFactory(status=status, first_response_due_at=now - HOUR)
        CaseFactory(status=status, assigned_to=agent)

    waiting = caller_waiting()
    caller_waiting(claimed_by=colleague, claimed_at=now)  # taken: ringing
    caller_waiting(claimed_by=colleague, claimed_at=now, bridged_at=now)  # talking
    support_call(state=S.IN_PROGRESS, due_in=-HOUR)  # still hearing the greeting
    caller_waiting(queue="returns", subject="returns.parcel:1")  # not support's
    due_now = support_call(due_in=-datetime.timedelta(minutes=1))
    due_soon = support_call(due_in=datetime.timedelta(minutes=14))
    support_call(due_in=datetime.timedelta(minutes=16))  # later
    support_call(state=S.DIALING, due_in=-datetime.timedelta(minutes=1))  # placed
    support_call(state=S.CANCELLED, due_in=datetime.timedelta(minutes=5))
    support_call(
        queue="returns", subject="returns.parcel:2", due_in=datetime.timedelta(0)
    )

    expected = selectors.DeskCounts(
        waiting=1, calls_due=2, overdue=2, unassigned=2, mine=2
    )
    assert selectors.desk_counts(agent=agent) == expected
    assert selectors.callers_waiting() == 1
    assert tile_counts(desk(agent_client)) == {
        "waiting": 1, "calls_due": 2, "overdue": 2, "unassigned": 2, "mine": 2,
    }  # fmt: skip

    # Each count is what its list shows.
    assert listed(agent_client, "?queue=overdue") == {overdue.pk, mine_and_overdue.pk}
    assert listed(agent_client, "?queue=unassigned") == {unassigned.pk, overdue.pk}
    assert listed(agent_client, "?queue=mine") == {mine.pk, mine_and_overdue.pk}
    queue = agent_client.get(reverse("admin:support_case_phone_queue"))
    untaken = [c for c, _case in queue.context["rows"] if c.claimed_by_id is None]
    assert untaken == [waiting]
    assert [c for c, _case in selectors.calls_due()] == [due_now, due_soon]


def filed_ago(case, hours):
    """``case`` as if filed ``hours`` ago (``created_at`` is set on insert)."""
    Case.objects.filter(pk=case.pk).update(
        created_at=timezone.now() - datetime.timedelta(hours=hours)
    )
    return case


def test_the_desk_counts_the_service_levels_in_breach_and_lists_them(
    agent_client, agent
):
    now = timezone.now()
    # Missing item: 4 h to a first response, 24 h to resolve (settings).
    missing = Case.Problem.MISSING_ITEM
    on_time = filed_ago(
        CaseFactory(problem=missing, first_response_due_at=now + HOUR), 1
    )
    unanswered = filed_ago(
        CaseFactory(problem=missing, first_response_due_at=now - HOUR), 5
    )
    both = filed_ago(CaseFactory(problem=missing, first_response_due_at=now - HOUR), 25)
    answered_but_unresolved = filed_ago(
        CaseFactory(
            problem=missing,
            first_response_due_at=now - 21 * HOUR,
            first_responded_at=now - 22 * HOUR,
        ),
        25,
    )
    # Settled cases are in breach of nothing an agent can still put right.
    filed_ago(
        CaseFactory(
            problem=missing, status=Case.Status.RESOLVED, first_response_due_at=now
        ),
        30,
    )

    response = desk(agent_client)
    breaches = {name: count for name, _l, _u, count in response.context["sla_tiles"]}
    assert breaches == {"first_response_breached": 2, "resolution_breached": 2}
    assert selectors.sla_breach_counts() == selectors.SlaBreaches(
        first_response=2, resolution=2
    )
    counts = agent_client.get(reverse(DESK_JSON)).json()["counts"]
    assert (counts["first_response_breached"], counts["resolution_breached"]) == (2, 2)

    # Each count is what its list shows, whatever the queue.
    assert listed(agent_client, "?sla=first_response") == {unanswered.pk, both.pk}
    assert listed(agent_client, "?sla=resolution") == {
        both.pk,
        answered_but_unresolved.pk,
    }
    assert on_time.pk in listed(agent_client, "")


def test_the_desk_speaks_of_breaches_in_the_agents_language(agent_client):
    html = agent_client.get(reverse(DESK), HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    assert "期限を超過中のサービスレベル" in html
    assert "初回対応の期限超過" in html
    assert "解決の期限超過" in html


def test_each_count_links_to_its_list(agent_client):
    html = desk(agent_client).content.decode()
    changelist = reverse(CHANGELIST)
    for href in (
        reverse("admin:support_case_phone_queue"),
        "#calls-due",
        f"{changelist}?queue=overdue",
        f"{changelist}?queue=unassigned",
        f"{changelist}?queue=mine",
        f"{changelist}?sla=first_response",
        f"{changelist}?sla=resolution",
    ):
        assert f'href="{href}"' in html
    assert 'id="calls-due"' in html


def test_the_calls_due_are_listed_with_their_cases(agent_client):
    case = CaseFactory(problem=Case.Problem.DAMAGED)
    support_call(case, due_in=datetime.timedelta(minutes=10))
    later = CaseFactory()
    support_call(later, due_in=datetime.timedelta(minutes=30))
    response = desk(agent_client)
    assert response.context["calls_due"][0][1] == case
    assert len(response.context["calls_due"]) == 1
    html = response.content.decode()
    assert reverse("admin:support_case_change", args=[case.pk]) in html
    assert reverse("admin:support_case_change", args=[later.pk]) not in html


def test_the_desk_is_reached_from_the_admin_index_and_every_admin_page(agent_client):
    case = CaseFactory()
    for url in (
        reverse("admin:index"),
        reverse(CHANGELIST),
        reverse("admin:support_case_change", args=[case.pk]),
        reverse("admin:support_case_phone_queue"),
    ):
        response = agent_client.get(url)
        assert response.status_code == 200
        assert f'href="{reverse(DESK)}"' in response.content.decode(), url


# --- Who may use it ------------------------------------------------------------


@pytest.mark.parametrize("name", [DESK, DESK_JSON])
def test_customers_and_strangers_are_sent_to_the_admin_login(client, name):
    url = reverse(name)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))

    client.force_login(UserFactory())
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


@pytest.mark.parametrize("name", [DESK, DESK_JSON])
def test_staff_outside_the_agent_group_are_forbidden(client, name):
    sign_in_staff(client, UserFactory(is_staff=True))
    assert client.get(reverse(name)).status_code == 403


@pytest.mark.parametrize("name", [DESK, DESK_JSON])
def test_the_desk_only_reads(agent_client, name):
    assert agent_client.post(reverse(name)).status_code == 405


# --- The JSON the page polls --------------------------------------------------


def test_the_json_has_the_counts_and_the_banners_words_and_is_never_cached(
    agent_client, agent
):
    CaseFactory(assigned_to=agent, first_response_due_at=timezone.now() - HOUR)
    caller_waiting()
    caller_waiting()
    response = agent_client.get(reverse(DESK_JSON))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "counts": {
            "waiting": 2, "calls_due": 0, "overdue": 1, "unassigned": 0, "mine": 1,
            "first_response_breached": 1, "resolution_breached": 0,
        },
        "banner": "2 callers are waiting for an agent.",
    }  # fmt: skip
    cache_control = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"no-store", "no-cache", "private"} <= cache_control


def test_the_json_speaks_the_agents_language(agent_client):
    caller_waiting()
    response = agent_client.get(reverse(DESK_JSON), HTTP_ACCEPT_LANGUAGE="ja")
    assert response.json()["banner"] == "1 人のお客様が担当者を待っています。"


# --- The banner on every admin page --------------------------------------------


def banner(response) -> str:
    """The banner's opening tag with its text, or "" when the page has none."""
    html = response.content.decode()
    start = html.find("data-desk-banner ")
    if start == -1:
        return ""
    return html[html.rfind("<", 0, start) : html.find("</div>", start)]


def test_the_banner_shows_only_while_a_caller_waits(agent_client, agent):
    case = CaseFactory()
    pages = [
        reverse("admin:index"),
        reverse(CHANGELIST),
        reverse("admin:support_case_change", args=[case.pk]),
        reverse("admin:shop_order_changelist"),
        reverse(DESK),
    ]
    # Nobody waits: the banner is there for the script to show, but hidden.
    for url in pages:
        shown = banner(agent_client.get(url))
        assert " hidden>" in shown, url
        assert "waiting for an agent" not in shown

    # Taken by an agent already: nobody left to take.
    taken = caller_waiting(claimed_by=agent, claimed_at=timezone.now())
    assert " hidden>" in banner(agent_client.get(reverse("admin:index")))

    caller_waiting(case)
    for url in pages:
        shown = banner(agent_client.get(url))
        assert " hidden>" not in shown, url
        assert "1 caller is waiting for an agent." in shown
        assert reverse("admin:support_case_phone_queue") in shown
        assert reverse(DESK_JSON) in shown  # what the script polls

    taken.delete()
    CallbackRequest.objects.filter(subject=calls.subject_for(case)).update(
        bridged_at=timezone.now()
    )
    assert " hidden>" in banner(agent_client.get(reverse("admin:index")))


def test_only_agents_get_the_banner(client):
    caller_waiting()
    sign_in_staff(client, UserFactory(is_staff=True))  # not in the agent group
    response = client.get(reverse("admin:password_change"))
    assert response.status_code == 200
    assert banner(response) == ""
    assert "js/desk.js" not in response.content.decode()

    shopper = Client()
    shopper.force_login(UserFactory())
    response = shopper.get(reverse("shop:product_list"))
    assert "waiting for an agent" not in response.content.decode()


# --- Cost and the browser's policy ----------------------------------------------


def many_cases(count, *, agent, lines):
    """``count`` cases on ``lines`` at once: open ones (one per line and
    problem, as the table allows), half of them the agent's, some overdue;
    the rest resolved. And a waiting caller and a call due per ten cases."""
    now = timezone.now()
    combos = list(itertools.product(lines, Case.Problem))
    cases = []
    for n in range(count):
        line, problem = combos[n % len(combos)]
        is_open = (
            n < len(combos)
            and not Case.objects.filter(
                order_line=line, problem=problem, status__in=Case.OPEN_STATUSES
            ).exists()
        )
        cases.append(
            Case(
                customer=line.order.buyer,
                order=line.order,
                order_line=line,
                problem=problem,
                status=Case.Status.NEW if is_open else Case.Status.RESOLVED,
                assigned_to=agent if n % 2 else None,
                first_response_due_at=now + (HOUR if n % 3 else -HOUR),
            )
        )
    Case.objects.bulk_create(cases)
    # A third of them filed long enough ago to be past their resolution target.
    Case.objects.filter(pk__in=[case.pk for case in cases[::3]]).update(
        created_at=now - datetime.timedelta(days=10)
    )
    for _ in range(count // 10):
        caller_waiting()
        support_call(due_in=datetime.timedelta(minutes=5))


@pytest.mark.parametrize("name", [DESK, DESK_JSON])
def test_the_desk_costs_the_same_for_10_or_1000_cases(agent_client, agent, name):
    order = placed_order(None, *[(ProductFactory(), 1) for _ in range(20)])
    lines = list(order.lines.select_related("order"))
    many_cases(10, agent=agent, lines=lines)
    small = queries_for(agent_client, reverse(name))
    many_cases(990, agent=agent, lines=lines)
    assert Case.objects.count() == 1000
    counts = selectors.desk_counts(agent=agent)
    assert counts.waiting == 100 and counts.calls_due == 100
    assert counts.overdue > 10 and counts.mine > 10
    assert selectors.sla_breach_counts().resolution > 10
    assert_same_queries(small, queries_for(agent_client, reverse(name)))


def test_the_case_page_costs_the_same_for_10_or_1000_cases(agent_client, agent):
    """The case ``make bench`` loads (a timeline with messages, replies,
    notes and a taken call; its parcel delivered) among 10, then 1,000
    cases."""
    order = placed_order(None, *[(ProductFactory(), 1) for _ in range(20)])
    lines = list(order.lines.select_related("order"))
    many_cases(10, agent=agent, lines=lines)
    case = worked_case(Case.objects.filter(status=Case.Status.NEW).first(), agent=agent)
    url = reverse("admin:support_case_change", args=[case.pk])
    small = queries_for(agent_client, url)
    many_cases(990, agent=agent, lines=lines)
    assert Case.objects.count() == 1000
    response = agent_client.get(url)
    page = response.content.decode()
    assert "scheduled → dialling → ringing → no answer" in page
    assert "Yamato 4455-6677" in page
    rows = response.context["timeline"]  # 3 messages, 3 notes, 3 replies, the call
    assert len(rows) == 10 and sum(row.is_call for row in rows) == 1
    assert_same_queries(small, queries_for(agent_client, url))


def test_the_counts_are_two_queries(agent, django_assert_num_queries):
    CaseFactory()
    caller_waiting()
    with django_assert_num_queries(2):
        selectors.desk_counts(agent=agent)
    with django_assert_num_queries(1):
        selectors.callers_waiting()


def test_the_desk_keeps_to_the_strict_policy(agent_client):
    caller_waiting(CaseFactory())
    support_call(CaseFactory(), due_in=datetime.timedelta(minutes=5))
    response = desk(agent_client)
    assert_keeps_to_the_policy(response)
    html = response.content.decode()
    assert '<script src="/static/js/desk.js" defer></script>' in html
