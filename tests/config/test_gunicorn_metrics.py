"""The production server's metrics: gunicorn with its config, two workers and
PROMETHEUS_MULTIPROC_DIR, as docker-compose runs it. Requests answered by
either worker add up in a scrape answered by either, and files a previous
run's dead processes left are gone after a restart."""

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import connection
from prometheus_client.parser import text_string_to_metric_families

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

BASE_DIR = Path(django_settings.BASE_DIR)
TOKEN = "gunicorn-test-token"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str, **headers) -> tuple[int, str]:
    request = urllib.request.Request(url, headers=headers)  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, ""


def test_gunicorn_workers_requests_add_up_in_one_scrape(tmp_path):
    metrics_dir = tmp_path / "metrics"
    metrics_dir.mkdir()
    # Left by a process of this host that is long gone: dropped at start.
    stale = metrics_dir / f"counter_{socket.gethostname()}-999999999.db"
    stale.write_bytes(b"")
    port = _free_port()
    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": (
            f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
        ),
        "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir),
        "METRICS_TOKEN": TOKEN,
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": "2",
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "config.wsgi", "-c", "config/gunicorn.py"],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if _get(f"{base}/healthz")[0] == 200:
                    break
            except OSError:
                time.sleep(0.2)
        else:
            pytest.fail("gunicorn did not start")
        assert not stale.exists()
        # In parallel, so both workers answer (a scrape answered by one of
        # them would miss the other's otherwise).
        with ThreadPoolExecutor(max_workers=4) as pool:
            answers = list(pool.map(lambda _: _get(f"{base}/healthz")[0], range(39)))
        assert answers == [200] * 39  # 40 with the first above

        assert _get(f"{base}/metrics")[0] == 401
        status, text = _get(f"{base}/metrics", Authorization=f"Bearer {TOKEN}")
        assert status == 200
        samples = {
            (sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for family in text_string_to_metric_families(text)
            for sample in family.samples
        }
        key = (
            "hoshii_http_request_duration_seconds_count",
            (("method", "GET"), ("status", "2xx"), ("view", "healthz")),
        )
        assert samples[key] == 40
        # One file per worker that answered, named by host and pid.
        files = list(metrics_dir.glob(f"histogram_{socket.gethostname()}-*.db"))
        assert 1 <= len(files) <= 2, files
        # Levels read at scrape, from this database.
        assert ("hoshii_support_cases", (("status", "new"),)) in samples
    finally:
        server.terminate()
        server.wait(timeout=30)
