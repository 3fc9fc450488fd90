"""What each ``make bench`` scenario must reach, in one place: the issues'
targets, which the generated tables of docs/benchmarks.md write beside the
figures with "met" or "missed" (they never fail a run: a wall-clock figure
depends on the machine).

Every scenario also has 0 errors as a target; a checkout's errors count
duplicate charges, orders not placed and oversold units.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Target:
    rps: float | None = None  # at least, requests a second
    share: float | None = None  # at least, % of /healthz in the same run
    p95_ms: float | None = None  # at most
    queries: int | None = None  # at most, per request
    orders_per_s: float | None = None  # at least (checkout)


_PAGES = Target(rps=500, share=10, p95_ms=100)
_UNCACHED = Target(p95_ms=50)
_DESK = Target(p95_ms=100)
_ADMIN_LIST = Target(p95_ms=200)

# By scenario name without its size (``bench.same_scenario``).
TARGETS: dict[str, Target] = {
    "product list": _PAGES,
    "product detail": _PAGES,
    "wish list, 100 items": _PAGES,
    "search": Target(rps=250, p95_ms=150),
    "uncached search": _UNCACHED,
    "uncached product list": _UNCACHED,
    # #8 asked for 250 req/s and p95 150 ms; #19 for 15 % of /healthz and
    # p95 60 ms.
    "cart add + view": Target(rps=250, share=15, p95_ms=60),
    "desk home + its JSON": _DESK,
    "desk's case page": _DESK,
    "admin's order list": _ADMIN_LIST,
    "admin's case list": _ADMIN_LIST,
    # #15: the whole payment flow at 100 orders/s; the hot product is the
    # oversell test, at #8's 25 orders/s.
    "checkout, many products": Target(orders_per_s=100, p95_ms=300),
    "checkout, one hot product": Target(orders_per_s=25, p95_ms=300),
    "support: case + call now": Target(rps=150, p95_ms=200, queries=12),
}


def checks(name: str, item: dict) -> list[tuple[str, bool]]:
    """Each condition of scenario ``name``'s target in words, and whether
    the measured ``item`` (a row of bench.json) meets it."""
    target = TARGETS.get(name)
    if target is None:
        return []
    found: list[tuple[str, bool]] = []
    if target.rps is not None:
        found.append((f"≥ {target.rps:,.0f} req/s", item["rps"] >= target.rps))
    if target.share is not None:
        share = item.get("share_of_healthz", 0.0)
        found.append((f"≥ {target.share:.0f} % of /healthz", share >= target.share))
    if target.orders_per_s is not None:
        orders = item.get("orders_per_s", 0.0)
        found.append(
            (f"≥ {target.orders_per_s:.0f} orders/s", orders >= target.orders_per_s)
        )
    if target.p95_ms is not None:
        found.append((f"p95 ≤ {target.p95_ms:.0f} ms", item["p95_ms"] <= target.p95_ms))
    if target.queries is not None:
        found.append((f"≤ {target.queries} queries", item["queries"] <= target.queries))
    found.append(("0 errors", item["errors"] == 0))
    return found


def verdict(name: str, item: dict) -> str:
    """The target in words, what was missed in bold, then "met" or
    "missed": a table cell ("" for a scenario without a target, as
    /healthz)."""
    found = checks(name, item)
    if not found:
        return ""
    words = [text if ok else f"**{text}**" for text, ok in found if text != "0 errors"]
    if not all(ok for _, ok in found):
        errors_ok = found[-1][1]
        return ", ".join(words + ([] if errors_ok else ["**0 errors**"])) + ": missed"
    return ", ".join(words) + ": met"
