"""Every `make bench` scenario has its issue's target written beside it
(benchmarks/targets.py), and the verdict says what was missed."""

from benchmarks.bench import same_scenario
from benchmarks.targets import TARGETS, checks, verdict
from tests.config.test_bench_smoke import SCENARIOS


def test_every_scenario_but_healthz_has_a_target():
    named = {same_scenario(name) for name in SCENARIOS} - {"healthz"}
    assert named == set(TARGETS)


def row(**values):
    return {"rps": 0.0, "share_of_healthz": 0.0, "p95_ms": 0.0, "queries": 0,
            "errors": 0, **values}  # fmt: skip


def test_the_support_target_is_the_issues_and_each_miss_is_named():
    support = "support: case + call now"
    met = row(rps=150, p95_ms=200, queries=12)
    assert verdict(support, met) == ("≥ 150 req/s, p95 ≤ 200 ms, ≤ 12 queries: met")
    slow = row(rps=51, p95_ms=451, queries=11)
    assert verdict(support, slow) == (
        "**≥ 150 req/s**, **p95 ≤ 200 ms**, ≤ 12 queries: missed"
    )
    assert verdict(support, row(rps=200, p95_ms=100, queries=13, errors=1)) == (
        "≥ 150 req/s, p95 ≤ 200 ms, **≤ 12 queries**, **0 errors**: missed"
    )


def test_a_share_of_healthz_and_orders_a_second_are_checked():
    cart = dict(checks("cart add + view", row(rps=300, share_of_healthz=14.9)))
    assert cart["≥ 15 % of /healthz"] is False and cart["≥ 250 req/s"] is True
    checkout = dict(checks("checkout, many products", row(orders_per_s=100.0)))
    assert checkout["≥ 100 orders/s"] is True


def test_healthz_has_none():
    assert verdict("healthz", row()) == ""
