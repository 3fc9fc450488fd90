"""The case list reads at 1280 px: seven columns, open cases unless asked,
states in agents' words, a gift as a word, overdue rows marked with the
time over, and a query count that does not grow with the cases."""

import datetime
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from support import selectors, services
from support.models import Case
from tests.gifts.factories import give
from tests.queries import assert_same_queries, queries_for
from tests.shop.factories import ProductFactory, UserFactory, deliver, placed_order
from tests.support.factories import file_question
from tests.wishlist.factories import WishListItemFactory

pytestmark = pytest.mark.django_db


def url(query=""):
    return reverse("admin:support_case_changelist") + query


def open_case(buyer=None, *, name="Cast iron kettle"):
    order = placed_order(buyer, (ProductFactory(name=name), 1))
    deliver(order)
    return file_question(order.lines.get(), "A question")


def gift_case(name="Gifted teapot"):
    """A question filed by a gift's recipient (who owns the gift)."""
    gift = give(WishListItemFactory(product=ProductFactory(name=name)))
    deliver(gift.order)
    return services.file_case(
        customer=gift.recipient,
        order_line=gift.order.lines.get(),
        problem=Case.Problem.OTHER,
        description="Lid?",
    )


def row_of(page: str, case: Case) -> str:
    """The list's row of ``case``."""
    link = reverse("admin:support_case_change", args=[case.pk])
    for row in re.findall(r"<tr>.*?</tr>", page, re.S):
        if f'href="{link}"' in row:
            return row
    raise AssertionError(f"case {case.pk} is not listed")


def test_the_list_has_seven_columns_and_the_case_links_with_its_subject(
    agent_client,
):
    customer = UserFactory(display_name="Haruto Sato")
    case = open_case(customer, name="PX-200 compact inkjet printer")
    response = agent_client.get(url())
    assert response.context["cl"].list_display == [
        "case",
        "customer_name",
        "state",
        "assigned_to",
        "gift",
        "due",
        "last_activity",
    ]
    row = row_of(response.content.decode(), case)
    assert f"#{case.pk} Something else" in row
    assert "1 × PX-200 compact inkjet printer" in row
    assert "Haruto Sato" in row
    assert "ago" in row  # the last activity
    # The stylesheet that keeps cells on one line and marks overdue rows.
    assert "css/admin-extra.css" in response.content.decode()


def test_open_cases_are_listed_unless_another_choice_is_made(agent_client, agent):
    waiting = open_case()
    done = open_case()
    services.resolve(case=done, actor=agent)
    response = agent_client.get(url())
    assert {c.pk for c in response.context["cl"].result_list} == {waiting.pk}
    page = response.content.decode()
    # The filter shows "All open" chosen, and links to all and to the solved.
    assert re.search(r'class="selected">\s*<a href="\?queue=open"', page)
    assert 'href="?queue=all"' in page and 'href="?queue=done"' in page
    listed_all = agent_client.get(url("?queue=all")).context["cl"].result_list
    assert {c.pk for c in listed_all} == {waiting.pk, done.pk}
    listed_done = agent_client.get(url("?queue=done")).context["cl"].result_list
    assert {c.pk for c in listed_done} == {done.pk}


def test_states_read_in_agents_words_in_the_list_and_its_filter(agent_client):
    case = open_case()
    Case.objects.filter(pk=case.pk).update(status=Case.Status.WAITING_FOR_CUSTOMER)
    page = agent_client.get(url()).content.decode()
    assert "Waiting for customer" in row_of(page, case)
    assert "Waiting for your reply" not in page  # not in the filter either
    listed = agent_client.get(url("?status=waiting")).context["cl"].result_list
    assert [c.pk for c in listed] == [case.pk]
    assert Case(status="waiting").agent_status == "Waiting for customer"
    assert set(Case.AGENT_STATUS_LABELS) == set(Case.Status)


def test_a_gift_is_a_text_badge_and_a_non_gift_shows_nothing(agent_client):
    gifted = gift_case()
    plain = open_case()
    assert (gifted.is_gift, plain.is_gift) == (True, False)
    page = agent_client.get(url()).content.decode()
    assert '<span class="badge-gift">Gift</span>' in row_of(page, gifted)
    assert "badge-gift" not in row_of(page, plain)
    assert "icon-no" not in page and "icon-yes" not in page  # no ✖ or ✔


def test_overdue_rows_are_marked_with_the_time_over_and_others_with_time_left(
    agent_client, agent
):
    late = open_case()
    soon = open_case()
    answered = open_case()
    services.reply(case=answered, actor=agent, body="On it.")
    now = timezone.now()
    Case.objects.filter(pk__in=[late.pk, answered.pk]).update(
        first_response_due_at=now - datetime.timedelta(hours=3, minutes=5)
    )
    Case.objects.filter(pk=soon.pk).update(
        first_response_due_at=now + datetime.timedelta(hours=2, minutes=30)
    )
    page = agent_client.get(url()).content.decode()
    assert re.search(
        r'<span class="case-overdue">3\xa0hours over</span>',
        row_of(page, late),
    )
    soon_row = row_of(page, soon)
    assert "case-overdue" not in soon_row
    assert "2\xa0hours left" in soon_row
    assert "case-overdue" not in row_of(page, answered)  # answered: not overdue
    # The mark is the static stylesheet's: the whole row, no inline style.
    assert "style=" not in row_of(page, late)
    css = Path(settings.BASE_DIR, "static/css/admin-extra.css").read_text()
    assert "tr:has(.case-overdue)" in css


def test_the_due_words_follow_the_overdue_rule():
    now = timezone.now()
    case = Case(
        status=Case.Status.NEW,
        first_response_due_at=now - datetime.timedelta(minutes=10),
    )
    assert selectors.first_response_words(case, now=now) == ("10\xa0minutes over", True)
    assert selectors.is_overdue(case, now=now)
    case.first_response_due_at = now + datetime.timedelta(minutes=10)
    assert selectors.first_response_words(case, now=now) == (
        "10\xa0minutes left",
        False,
    )
    case.status = Case.Status.RESOLVED
    assert selectors.first_response_words(case, now=now) == ("", False)


def _cases(count, *, agent):
    """``count`` open cases: every other one assigned, every third a gift,
    every fourth overdue."""
    past = timezone.now() - datetime.timedelta(hours=1)
    for index in range(count):
        case = gift_case() if index % 3 == 0 else open_case()
        if index % 2:
            services.assign_case(case=case, agent=agent, actor=agent)
        if index % 4 == 0:
            Case.objects.filter(pk=case.pk).update(first_response_due_at=past)


@pytest.mark.parametrize("query", ["", "?queue=all", "?queue=overdue", "?o=-6"])
def test_the_list_costs_the_same_for_10_or_100_cases(agent_client, agent, query):
    _cases(10, agent=agent)
    small = queries_for(agent_client, url(query))
    _cases(90, agent=agent)
    assert Case.objects.count() == 100
    assert_same_queries(small, queries_for(agent_client, url(query)))
