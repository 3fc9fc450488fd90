"""The shop's Prometheus series (core.metrics): orders placed and how late
payment webhooks arrive, recorded where they happen; the confirmation
outbox's backlog, counted at each scrape."""

from collections.abc import Iterable

from core.metrics import Counter, GaugeMetricFamily, Histogram

ORDERS_PLACED = Counter(
    "hoshii_orders_placed",
    "Orders placed: paid by card, or paid in full with store credit at checkout.",
    ["payment"],
)
WEBHOOK_LAG = Histogram(
    "hoshii_payment_webhook_lag_seconds",
    "From the provider creating a payment event to our receiving it.",
    ["provider"],
    buckets=(0.25, 0.5, 1, 2, 5, 10, 30, 60, 300, 900, 3600, 6 * 3600),
)


class OutboxCollector:
    """Order confirmations not yet sent (``shop.confirmations``): ``pending``
    ones wait for the next send, ``failing`` ones failed too often and wait
    for staff. One query per scrape."""

    def collect(self) -> Iterable:
        from shop.confirmations import backlog

        family = GaugeMetricFamily(
            "hoshii_outbox_backlog",
            "Messages written but not yet sent, by outbox and state.",
            labels=["outbox", "state"],
        )
        for state, count in backlog().items():
            family.add_metric(["order_confirmations", state], count)
        yield family
