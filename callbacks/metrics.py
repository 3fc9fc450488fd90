"""The phone calls' Prometheus series (core.metrics), recorded by the
services where they happen: how long a call took to be placed, and how
each request ended."""

from core.metrics import Counter, Histogram

DIAL_LATENCY = Histogram(
    "hoshii_callback_dial_latency_seconds",
    "From a call attempt being due (the click, for 'call me now') to the "
    "provider accepting its create-call request; first attempts and retries.",
    ["attempt"],
    buckets=(0.25, 0.5, 1, 2, 3, 5, 10, 20, 30, 60, 120, 300),
)
CALLS_FINISHED = Counter(
    "hoshii_callbacks_finished",
    "Callback requests that reached a final state, by that state.",
    ["state"],
)
