"""The support desk's Prometheus series (core.metrics), counted at each
scrape from the cases themselves: never out of step with the desk."""

from collections.abc import Iterable

from core.metrics import GaugeMetricFamily


class CaseCollector:
    """Cases by status, and open cases past their service levels
    (docs/support.md#service-levels): two queries per scrape."""

    def collect(self) -> Iterable:
        from support import selectors

        by_status = GaugeMetricFamily(
            "hoshii_support_cases", "Support cases by status.", labels=["status"]
        )
        for status, count in selectors.case_counts_by_status().items():
            by_status.add_metric([status], count)
        yield by_status
        breaches = selectors.sla_breach_counts()
        overdue = GaugeMetricFamily(
            "hoshii_support_cases_overdue",
            "Open cases past a service level: an unanswered case past its "
            "first-response due time, or any open case past its resolution "
            "due time.",
            labels=["due"],
        )
        overdue.add_metric(["first_response"], breaches.first_response)
        overdue.add_metric(["resolution"], breaches.resolution)
        yield overdue
