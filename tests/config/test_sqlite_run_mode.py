"""Run mode's SQLite: ``make run`` works on it, not only PostgreSQL.

Two transactions that read and then write, at the same moment, as the web
process and a worker thread do: with SQLite's default deferred transactions
one of them fails with "database is locked"; with run mode's settings both
commit, one after the other, and neither update is lost.

And the statements written by hand for PostgreSQL's speed (row locks, a
claim that writes in a ``WITH``, ``RETURNING``, ``ON CONFLICT``) have a form
SQLite runs: a customer pays through the test provider and its signed
webhook, fills the cart, files a case with a call now, and the call is
dialled. Run in subprocesses on run-mode settings, since the suite itself
is on PostgreSQL.
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


JOURNEY = r"""
import json
import django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from unittest import mock
from django.test import Client
from callbacks import services as callback_services
from callbacks.models import CallbackRequest
from core import submissions
from shop import services, tasks
from shop.models import Order
from shop.payments import TestPaymentProvider, test_provider
from support.models import Case
from tests.shop.factories import (
    TEST_CARD, AddressFactory, ProductFactory, UserFactory, cart_with,
    expected_total, session_of,
)
from tests.support.factories import help_form

seen = {}
buyer = UserFactory(phone="+819012345678")
kettle = ProductFactory(stock_on_hand=5)
cart = cart_with(buyer, (kettle, 1))
order = services.place_order(
    cart=cart, buyer=buyer,
    destination=services.Destination(address=AddressFactory(user=buyer)),
    expected_total=expected_total(cart),
)
events = []
with mock.patch.object(
    tasks.deliver_test_provider_event, "delay",
    lambda payload: events.append(payload),
):
    TestPaymentProvider().pay(
        session_of(services.start_payment(order=order)), TEST_CARD
    )
client = Client()
(payload,) = events
for _twice in range(2):
    answer = client.post(
        "/payments/test/webhook/", payload, content_type="application/json",
        HTTP_STRIPE_SIGNATURE=test_provider.sign(payload),
    )
    seen.setdefault("webhook", []).append([answer.status_code, answer.content.decode()])
order.refresh_from_db()
seen["order"] = order.status
client.force_login(buyer)
seen["return"] = client.get(f"/orders/{order.pk}/paid/").status_code
seen["add"] = client.post(f"/cart/add/{kettle.pk}/", {"quantity": 1}).status_code
seen["cart"] = client.get("/cart/").status_code
form = help_form(
    order, problem=Case.Problem.OTHER, contact=Case.Contact.CALL_NOW,
    phone="090-1234-5678", description="The lid is missing.",
    submission=submissions.new_key(),
)
seen["help"] = client.post(f"/help/orders/{order.pk}/", form).status_code
call = CallbackRequest.objects.get()
callback_services.dial(callback_id=call.pk)
call.refresh_from_db()
seen["call"] = [call.state, bool(call.call_sid)]
print(json.dumps(seen))
"""


def _run_mode_env(tmp_path: Path) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_", "REDIS_", "CELERY_"))
    }
    return env | {
        "DJANGO_SETTINGS_MODULE": "config.settings.dev",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "ALLOWED_HOSTS": "testserver",
        "CALLBACKS_DIALER": "callbacks.dialers.LocmemDialer",
        "CALLBACKS_HOURS": "00:00-24:00",
    }


def test_a_customers_journey_runs_on_run_mode_sqlite(tmp_path: Path):
    result = subprocess.run(
        [sys.executable, "-c", JOURNEY],
        cwd=Path(__file__).resolve().parents[2],
        env=_run_mode_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen == {
        # The signed event places the order; the same event again is known.
        "webhook": [[200, "placed the order"], [200, "already handled"]],
        "order": "placed",
        "return": 302,
        "add": 302,
        "cart": 200,
        "help": 302,
        "call": ["dialing", True],
    }


def test_two_writers_on_run_mode_sqlite_both_commit(tmp_path: Path):
    env = _run_mode_env(tmp_path)
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
