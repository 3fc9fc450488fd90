"""Two (or more) things at the same moment, for real: threads, each with its
own database connection, released together by a barrier.

Use with ``pytest.mark.django_db(transaction=True)`` on PostgreSQL: Django's
TestCase would wrap everything in one transaction and hide the race.
"""

import copy
import threading
from collections.abc import Callable, Mapping
from typing import Any

from django.db import connection
from django.test import Client


def run_together(targets: list[Callable[[], Any]]) -> list[Any]:
    """Start every callable at the same moment; return each one's result, or
    the exception it raised, in order."""
    barrier = threading.Barrier(len(targets))
    results: list[Any] = [None] * len(targets)

    def run(index: int, target: Callable[[], Any]) -> None:
        try:
            barrier.wait()
            results[index] = target()
        except BaseException as error:
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, t)) for i, t in enumerate(targets)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def twin_clients(client: Client, times: int = 2) -> list[Client]:
    """Clients that share ``client``'s cookies: one browser sending a form
    twice (its session, its CSRF cookie), each on a thread of its own."""
    twins = []
    for _ in range(times):
        twin = Client(**client.defaults)
        twin.cookies = copy.deepcopy(client.cookies)
        twins.append(twin)
    return twins


def post_together(
    client: Client,
    path: str,
    data: Mapping[str, Any] | None = None,
    *,
    times: int = 2,
    **extra: Any,
) -> list[Any]:
    """POST the same form ``times`` times at the same moment from ``client``'s
    browser (a double click); return the responses (or exceptions) in order.

    The same ``data`` goes with every request, hidden ``submission`` key
    included, exactly as a browser resends a form."""
    return run_together(
        [
            lambda twin=twin: twin.post(path, data or {}, **extra)
            for twin in twin_clients(client, times)
        ]
    )
