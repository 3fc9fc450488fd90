"""`make bench` cannot rot: its script runs once in smoke mode, a second a
scenario, on the production-shaped stack. Never a check of speed."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = {
    "healthz",
    "product list",
    "product detail",
    "search",
    "wish list, 100 items",
    "cart add + view",
    "checkout, many products",
    "checkout, one hot product",
    "support: case + call now",
    "desk home + its JSON, 10,000 cases",
    "desk's case page, 10,000 cases",
    "uncached search",
    "uncached product list",
    "admin's order list",
    "admin's case list",
}
PAGES = {"product list", "cart", "wish list", "orders", "case list (help)",
         "gifts received", "desk home (admin)"}  # fmt: skip


@pytest.mark.slow
def test_the_benchmark_runs_every_scenario_without_errors(tmp_path):
    assert shutil.which("wrk"), "wrk is missing: run scripts/ensure-tools.sh"
    output = tmp_path / "bench.json"
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.bench", "--smoke", "--output", str(output)],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    rows = {row["name"]: row for row in json.loads(output.read_text())}
    assert set(rows) == SCENARIOS
    for name, row in rows.items():
        assert row["errors"] == 0, (name, row)
        assert row["rps"] > 0 and row["healthz_rps"] > 0, (name, row)
        assert {"p50_ms", "p95_ms", "p99_ms", "queries"} <= set(row), (name, row)
    assert rows["checkout, one hot product"]["oversold"] is False
    assert "| support: case + call now |" in done.stdout
    for page in PAGES:  # queries per page at 10 and 100 items, printed
        assert f"| {page} |" in done.stdout
