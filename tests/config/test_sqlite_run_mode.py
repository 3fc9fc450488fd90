"""Run mode's SQLite waits for a concurrent writer instead of failing.

Two transactions that read and then write, at the same moment, as the web
process and a worker thread do: with SQLite's default deferred transactions
one of them fails with "database is locked"; with run mode's settings both
commit, one after the other, and neither update is lost. Run in a
subprocess on run-mode settings, since the suite itself is on PostgreSQL.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

SCRIPT = r"""
import json, threading, time
import django
django.setup()
from django.db import connection, transaction

with connection.cursor() as cursor:
    cursor.execute("CREATE TABLE counter (n integer)")
    cursor.execute("INSERT INTO counter VALUES (0)")
connection.close()

errors = []
barrier = threading.Barrier(2)

def read_then_write():
    try:
        barrier.wait()
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT n FROM counter")
            (n,) = cursor.fetchone()
            time.sleep(0.3)
            cursor.execute("UPDATE counter SET n = %s", [n + 1])
    except Exception as error:
        errors.append(repr(error))
    finally:
        connection.close()

threads = [threading.Thread(target=read_then_write) for _ in range(2)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
with connection.cursor() as cursor:
    cursor.execute("SELECT n FROM counter")
    (n,) = cursor.fetchone()
print(json.dumps({"errors": errors, "n": n}))
"""


def test_two_writers_on_run_mode_sqlite_both_commit(tmp_path: Path):
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_", "REDIS_"))
    }
    env |= {
        "DJANGO_SETTINGS_MODULE": "config.settings.dev",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
    }
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        cwd=Path(__file__).resolve().parents[2],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    outcome = json.loads(result.stdout.strip().splitlines()[-1])
    assert outcome == {"errors": [], "n": 2}
