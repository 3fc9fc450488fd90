"""Agents at their desks: the load generator of the desk scenarios.

Each agent is a thread that thinks 0.5 to 1.5 s (mean 1 s), then asks for
the next page of its round (the desk page and the JSON its script polls, in
turn; or the case page), on a connection it opens when it asks.

Why not wrk, like the shop's scenarios: wrk opens a connection again as soon
as an answer closes the last one, and only then waits out the think time.
gunicorn's sync workers answer one connection at a time and read a request
as soon as they accept its connection, so each idle agent held a worker for
its whole think time, and the 3 workers of the bench were mostly waiting for
agents who had not asked yet: desk p50 35 ms but p95 609 ms, with the web
processes' CPU 80 % idle (docs/benchmarks.md). In production the agents'
browsers talk to the proxy in front of gunicorn (docker-compose.yml), which
hands a worker only a whole request, as a connection opened when asked does
here. And agents arrive over the first second, not all at the same instant:
20 requests sent at once would queue on two cores whatever the page costs.

The latency is from opening the connection to the last byte of the answer.
The report has the keys of wrk's (``benchmarks/wrk/common.lua``), so the
bench's ``row`` reads either.
"""

import http.client
import random
import threading
import time

from benchmarks.payflow import percentile

THINK_SECONDS = (0.5, 1.5)


def run(
    *,
    port: int,
    lines: list[tuple],
    csrf: str,
    agents: int,
    seconds: float,
    seed: int = 16,
    fresh: bool = False,
) -> dict:
    """``agents`` agents asking for ``lines`` (method, path, session, body:
    GETs only) in turn, each from its own place in them, for ``seconds``.
    With ``fresh``, every request adds a query string never sent before, so
    the page cache never answers it (visitors the cache has not seen)."""
    latencies: list[float] = []
    errors = {"connect": 0, "read": 0, "status": 0, "timeout": 0}
    lock = threading.Lock()
    started = time.monotonic()
    deadline = started + seconds
    run_id = f"{time.time_ns()}"

    def agent(number: int) -> None:
        rng = random.Random(seed * 1000 + number)
        position = number
        time.sleep(rng.uniform(0, THINK_SECONDS[1] - THINK_SECONDS[0]))
        while time.monotonic() < deadline:
            method, path, session, _body = lines[position % len(lines)]
            position += 1
            if fresh:
                separator = "&" if "?" in path else "?"
                path = f"{path}{separator}uncached={run_id}-{number}-{position}"
            cookie = f"csrftoken={csrf}" + (f"; sessionid={session}" if session else "")
            headers = {"Cookie": cookie}
            asked = time.monotonic()
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            outcome, status = "ok", 0
            try:
                connection.request(method, path, headers=headers)
                response = connection.getresponse()
                response.read()
                status = response.status
            except TimeoutError:
                outcome = "timeout"
            except ConnectionRefusedError:
                outcome = "connect"
            except (OSError, http.client.HTTPException):
                outcome = "read"
            finally:
                connection.close()
            answered = time.monotonic()
            # Anything but a 200 (a redirect to the sign-in or second-factor
            # page) is a failure.
            if outcome == "ok" and status != 200:
                outcome = "status"
            with lock:
                if outcome == "ok":
                    latencies.append(answered - asked)
                else:
                    errors[outcome] += 1
            time.sleep(rng.uniform(*THINK_SECONDS))

    threads = [threading.Thread(target=agent, args=(n,)) for n in range(agents)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    duration = time.monotonic() - started

    def us(share: float) -> int:
        return round(percentile(latencies, share) * 1e6)

    return {
        "requests": len(latencies) + sum(errors.values()),
        "duration_us": round(duration * 1e6),
        "p50_us": us(0.50),
        "p95_us": us(0.95),
        "p99_us": us(0.99),
        "max_us": us(1.0),
        "write": 0,
        "unexpected": 0,
        "repeated": 0,
        **errors,
    }
