"""`make test`'s services check (scripts/ensure-services.sh) uses PostgreSQL,
Redis and RabbitMQ wherever DATABASE_URL, REDIS_URL and RABBITMQ_URL point,
starts them only when they belong on this machine, and otherwise says what
it needs."""

import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

from tests.workers import RABBITMQ_URL

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "ensure-services.sh"
# TEST-NET-3 (RFC 5737): an address no machine answers on.
NOWHERE = "203.0.113.1"
STARTERS = [
    "pg_ctlcluster",
    "pg_lsclusters",
    "pg_ctl",
    "redis-server",
    "rabbitmq-server",
]


def run(env: dict[str, str], *services: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(SCRIPT), *services],
        env={**os.environ, "PYTHON": sys.executable, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def starters_that_record(folder: Path) -> Path:
    """Stand-ins for every program the script could start a server with,
    each leaving a mark if called."""
    folder.mkdir()
    for name in STARTERS:
        program = folder / name
        program.write_text(f'#!/bin/sh\ntouch "{folder}/called-{name}"\nexit 1\n')
        program.chmod(0o755)
    return folder


def free_local_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_services_on_another_machine_that_do_not_answer_are_named_not_started(
    tmp_path,
):
    starters = starters_that_record(tmp_path / "bin")
    done = run(
        {
            "DATABASE_URL": f"postgres://postgres@{NOWHERE}:5432/hoshii",
            "REDIS_URL": f"redis://{NOWHERE}:6379/15",
            "RABBITMQ_URL": f"amqp://guest:guest@{NOWHERE}:5672//",
            "SERVICES_CONNECT_TIMEOUT": "1",
            "PATH": f"{starters}:{os.environ['PATH']}",
        }
    )

    assert done.returncode != 0
    assert (
        f"PostgreSQL is not reachable at {NOWHERE}:5432 (from DATABASE_URL); "
        "start it or set DATABASE_URL"
    ) in done.stderr
    assert (
        f"Redis is not reachable at {NOWHERE}:6379 (from REDIS_URL); "
        "start it or set REDIS_URL"
    ) in done.stderr
    assert (
        f"RabbitMQ is not reachable at {NOWHERE}:5672 (from RABBITMQ_URL); "
        "start it or set RABBITMQ_URL"
    ) in done.stderr
    assert done.stderr.count("not on this machine") == 3
    assert "Starting" not in done.stdout
    assert not list(starters.glob("called-*"))


def test_local_services_it_cannot_start_are_named_with_what_it_needs(tmp_path):
    # A PATH with the shell and nothing to start a server with.
    bare = tmp_path / "bin"
    bare.mkdir()
    for name in ["bash", "dirname"]:
        (bare / name).symlink_to(shutil.which(name))
    postgres_port, redis_port = free_local_port(), free_local_port()
    rabbitmq_port = free_local_port()

    done = run(
        {
            "DATABASE_URL": f"postgres://postgres@127.0.0.1:{postgres_port}/hoshii",
            "REDIS_URL": f"redis://localhost:{redis_port}/15",
            "RABBITMQ_URL": f"amqp://guest:guest@127.0.0.1:{rabbitmq_port}//",
            "PATH": str(bare),
        }
    )

    assert done.returncode != 0
    assert (
        f"PostgreSQL is not reachable at 127.0.0.1:{postgres_port} "
        "(from DATABASE_URL); start it or set DATABASE_URL"
    ) in done.stderr
    assert "needs pg_ctlcluster" in done.stderr
    assert f"Redis is not reachable at localhost:{redis_port}" in done.stderr
    assert "needs redis-server" in done.stderr
    assert f"RabbitMQ is not reachable at 127.0.0.1:{rabbitmq_port}" in done.stderr
    assert "needs rabbitmq-server" in done.stderr


def test_only_the_machines_own_rabbitmq_port_is_started(tmp_path):
    # rabbitmq-server starts the node its configuration describes (5672):
    # a URL on another local port is named, never "started" to no effect.
    starters = starters_that_record(tmp_path / "bin")
    port = free_local_port()
    done = run(
        {
            "RABBITMQ_URL": f"amqp://guest:guest@127.0.0.1:{port}//",
            "PATH": f"{starters}:{os.environ['PATH']}",
        }
    )

    assert done.returncode != 0
    assert f"RabbitMQ is not reachable at 127.0.0.1:{port}" in done.stderr
    assert "and the URL on port 5672" in done.stderr
    assert not (starters / "called-rabbitmq-server").exists()


def test_a_database_url_that_is_not_postgresql_is_refused():
    done = run({"DATABASE_URL": "sqlite:///var/db.sqlite3"})

    assert done.returncode != 0
    assert "DATABASE_URL is sqlite://" in done.stderr
    assert "the tests need PostgreSQL" in done.stderr


def test_the_services_this_suite_runs_on_answer():
    # The suite's own URLs (config/settings/test.py sets its defaults into
    # the environment), which are up: this very test run uses them.
    done = run(
        {
            "DATABASE_URL": os.environ["DATABASE_URL"],
            "REDIS_URL": os.environ["REDIS_URL"],
            "RABBITMQ_URL": RABBITMQ_URL,
        }
    )

    assert done.returncode == 0, done.stderr
    assert "RabbitMQ:" in done.stdout
    assert "PostgreSQL:" in done.stdout
    assert "answers" in done.stdout
    assert "Starting" not in done.stdout


def test_what_runs_on_redis_alone_checks_no_rabbitmq():
    # `make bench` and `make audit`: PostgreSQL and Redis only.
    done = run(
        {
            "DATABASE_URL": os.environ["DATABASE_URL"],
            "REDIS_URL": os.environ["REDIS_URL"],
            "RABBITMQ_URL": f"amqp://guest:guest@{NOWHERE}:5672//",
            "SERVICES_CONNECT_TIMEOUT": "1",
        },
        "postgres",
        "redis",
    )

    assert done.returncode == 0, done.stderr
    assert "RabbitMQ" not in done.stdout + done.stderr
