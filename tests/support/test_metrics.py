"""The desk's series, counted at each scrape from the cases: by status,
and the open ones past their service levels."""

import datetime

import pytest
from django.utils import timezone

from support import selectors
from support.models import Case
from tests.metrics import scrape, value
from tests.support.factories import CaseFactory

pytestmark = pytest.mark.django_db
HOUR = datetime.timedelta(hours=1)


def test_cases_are_counted_by_status_and_overdue_at_scrape(settings):
    CaseFactory.create_batch(2, first_response_due_at=timezone.now() - HOUR)
    CaseFactory(first_response_due_at=timezone.now() + HOUR)
    CaseFactory(status=Case.Status.RESOLVED, first_response_due_at=timezone.now())

    samples = scrape(settings)

    assert value(samples, "hoshii_support_cases", status="new") == 3
    assert value(samples, "hoshii_support_cases", status="resolved") == 1
    # Every status is a series, with zero for none.
    assert value(samples, "hoshii_support_cases", status="closed") == 0
    assert {labels["status"] for labels, _ in samples["hoshii_support_cases"]} == set(
        Case.Status.values
    )
    breaches = selectors.sla_breach_counts()
    assert breaches.first_response == 2
    assert (
        value(samples, "hoshii_support_cases_overdue", due="first_response"),
        value(samples, "hoshii_support_cases_overdue", due="resolution"),
    ) == (2, breaches.resolution)


def test_case_counts_by_status_is_one_query(django_assert_num_queries):
    CaseFactory.create_batch(3)
    with django_assert_num_queries(1):
        counts = selectors.case_counts_by_status()
    assert counts["new"] == 3
