"""Start and stop the production-shaped stack on loopback for benchmarks:
a fresh PostgreSQL database, gunicorn, a Celery worker, and the fake Twilio."""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import psycopg2

from config.brokers import is_rabbitmq

ROOT = Path(__file__).resolve().parents[1]
PG = {"host": "127.0.0.1", "port": 5432, "user": "postgres"}


def fresh_database(name: str, template: str | None = None) -> str:
    """An empty database, or a copy of ``template`` (already migrated)."""
    conn = psycopg2.connect(dbname="postgres", **PG)
    conn.autocommit = True
    with conn.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        copy = f' TEMPLATE "{template}"' if template else ""
        cursor.execute(f'CREATE DATABASE "{name}"{copy}')
    conn.close()
    return f"postgres://{PG['user']}@{PG['host']}:{PG['port']}/{name}"


class Stack:
    def __init__(
        self,
        *,
        database: str,
        redis_url: str,
        port: int,
        extra_env: dict,
        template: str | None = None,
    ):
        self.port = port
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.bench",
            "SECRET_KEY": "benchmark-only-" + "x" * 40,
            "DATABASE_URL": fresh_database(database, template),
            "REDIS_URL": redis_url,
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SITE_URL": f"http://127.0.0.1:{port}",
            "LOG_LEVEL": "WARNING",
            "STATIC_ROOT": str(ROOT / "var" / "bench-static"),
            # The bench takes no money: the test provider, named on purpose.
            "SHOP_PAYMENT_PROVIDER": "shop.payments.TestPaymentProvider",
            **extra_env,
        }
        self.processes: dict[str, subprocess.Popen] = {}
        # Which of ``cpu()``'s parts is the Celery broker.
        broker_url = self.env.get("CELERY_BROKER_URL") or redis_url
        self.broker = "rabbitmq" if is_rabbitmq(broker_url) else "redis"

    def manage(self, *args: str) -> None:
        subprocess.run(
            [sys.executable, "manage.py", *args], cwd=ROOT, env=self.env, check=True,
            stdout=subprocess.DEVNULL,
        )  # fmt: skip

    def start_web(self, workers: int, *, wait: bool = True) -> None:
        self.processes["web"] = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "config.wsgi", "--bind",
             f"127.0.0.1:{self.port}", "--workers", str(workers),
             "--log-level", "warning"],
            cwd=ROOT, env=self.env,
        )  # fmt: skip
        if wait:
            self.wait_for_web()

    def wait_for_web(self) -> None:
        """Until gunicorn answers /healthz."""
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(
                    f"http://127.0.0.1:{self.port}/healthz", timeout=1
                ):
                    return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("gunicorn did not start")

    def start_worker(self, concurrency: int, **env: str) -> None:
        """A threaded worker; ``env`` overrides settings for it."""
        self.stop("worker")
        self.processes["worker"] = subprocess.Popen(
            [sys.executable, "-m", "celery", "--app", "config", "worker", "--pool",
             "threads", "--concurrency", str(concurrency), "--loglevel", "WARNING",
             "--without-mingle", "--without-gossip"],
            cwd=ROOT, env={**self.env, **env},
        )  # fmt: skip
        self._wait_for_worker()

    def start_beat(self) -> None:
        """The periodic scheduler, a process of its own as in production, so
        the sweeper keeps its rhythm when a worker dies."""
        self.stop("beat")
        (ROOT / "var").mkdir(exist_ok=True)
        self.processes["beat"] = subprocess.Popen(
            [sys.executable, "-m", "celery", "--app", "config", "beat", "--loglevel",
             "WARNING", "--schedule", str(ROOT / "var" / "bench-celerybeat-schedule")],
            cwd=ROOT, env=self.env,
        )  # fmt: skip

    def _wait_for_worker(self) -> None:
        """Until the worker answers a ping: booted, connected, consuming."""
        from config.celery_app import app

        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if app.control.ping(timeout=0.5):
                return
        raise RuntimeError("the Celery worker did not start")

    def kill(self, name: str) -> None:
        """SIGKILL: no warm shutdown, messages it held stay unacknowledged."""
        process = self.processes.pop(name)
        process.kill()
        process.wait()

    def stop(self, name: str | None = None) -> None:
        for key in [name] if name else list(self.processes):
            process = self.processes.pop(key, None)
            if process is not None and process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    process.kill()

    def cpu(self) -> dict[str, dict[str, float]]:
        """CPU seconds used so far, process by process, by the web processes,
        the worker, and every PostgreSQL and Redis process on the machine
        (and RabbitMQ's when it is the broker), from /proc; ``cpu_used``
        compares two readings. On a shared 2-core
        machine the cost per request is steadier than any wall-clock figure."""
        parts = {
            "web": _by_process(self._pids("web")),
            "worker": _by_process(self._pids("worker")),
            "db": _by_process(pids_of("postgres")),
            "redis": _by_process(pids_of("redis-server")),
        }
        if self.broker == "rabbitmq":  # its Erlang VM, when Celery runs on it
            parts["rabbitmq"] = _by_process(pids_of("beam.smp"))
        return parts

    def _pids(self, name: str) -> list[str]:
        """A started process and its children (the gunicorn workers)."""
        process = self.processes[name]
        pids = [str(process.pid)]
        children = Path(f"/proc/{process.pid}/task/{process.pid}/children")
        if children.exists():
            pids += children.read_text().split()
        return pids


def free_port() -> int:
    """A port on loopback no one listens on now, for gunicorn."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fake_twilio_env(fake, *, port: int) -> dict[str, str]:
    """Settings that send the stack's calls to ``fake`` (a started
    ``tests.callbacks.fake_twilio.FakeTwilio``) and its webhooks back to
    gunicorn on ``port``, with the phone line open all day."""
    return {
        "TWILIO_ACCOUNT_SID": fake.account_sid,
        "TWILIO_AUTH_TOKEN": fake.auth_token,
        "TWILIO_FROM_NUMBER": "+815012345678",
        "TWILIO_API_BASE": fake.base_url,
        "CALLBACKS_PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
        "CALLBACKS_HOURS": "00:00-24:00",
    }


def cpu_used(before: dict, after: dict) -> dict[str, float]:
    """CPU seconds each part used between two ``Stack.cpu`` readings. A
    process that exited meanwhile (a closed database connection) drops out
    of both sums, so a part never shows less than nothing."""
    return {
        name: sum(
            seconds - before[name].get(pid, 0.0) for pid, seconds in after[name].items()
        )
        for name in after
    }


def pids_of(command: str) -> list[str]:
    """Every running process named ``command``."""
    pids = []
    for process in Path("/proc").glob("[0-9]*"):
        try:
            if (process / "comm").read_text().strip() == command:
                pids.append(process.name)
        except OSError:
            continue  # exited meanwhile
    return pids


def _by_process(pids: list[str]) -> dict[str, float]:
    seconds = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # exited meanwhile
        ticks = int(fields[11]) + int(fields[12])  # utime + stime
        seconds[pid] = ticks / os.sysconf("SC_CLK_TCK")
    return seconds
