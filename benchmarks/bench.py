"""Page load on the production-shaped stack: the shop on sale day.

Starts the stack on loopback (a fresh PostgreSQL database, gunicorn with
``config.settings.bench``, a Celery worker on Redis, the fake Twilio and the
fake Stripe), loads a benchmark catalog, and drives each scenario with wrk
and its Lua script in benchmarks/wrk/: 20 connections, no think time, a
warm-up, then the measured run. Checkout goes through the whole payment
flow on the fake Stripe instead, driven by 20 customers in this process
(benchmarks/payflow.py): the checkout POST, paying on the hosted page, the
signed webhook and the return page racing it. /healthz goes through the
same generator and the same Lua path in the same run, and each scenario's
req/s is also given as a share of its.

SQL queries per request come from the ``X-Queries`` header the bench settings
add (benchmarks/querycount.py); queries per page at 10 and at 100 items from
Django's test client in this process, with the helpers the tests use.

Prints a table, writes benchmarks/results/bench.json and the generated part
of docs/benchmarks.md.

Usage: .venv/bin/python -m benchmarks.bench            (under 3 minutes)
       .venv/bin/python -m benchmarks.bench --smoke    (a second a scenario;
            writes only --output, for the test that keeps this script alive)
       .venv/bin/python -m benchmarks.bench --only checkout
            (/healthz and the scenarios whose names hold "checkout", while
            working on them; writes only --output)
"""

import argparse
import dataclasses
import http.client
import json
import os
import platform
import random
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks import agents
from benchmarks.customers import Shopper, make_shoppers
from benchmarks.desk import CASES as DESK_CASES
from benchmarks.desk import make_desk
from benchmarks.payflow import PayFlow, account, percentile
from benchmarks.stack import (
    PG,
    Stack,
    cpu_used,
    fake_twilio_env,
    free_port,
    fresh_database,
)
from benchmarks.targets import verdict
from tests.callbacks.fake_twilio import FakeTwilio
from tests.payments.fake_stripe import WEBHOOK_SECRET, FakeStripe

WRK_SCRIPTS = ROOT / "benchmarks" / "wrk"
RESULTS = ROOT / "benchmarks" / "results" / "bench.json"
RESULTS_LARGE = ROOT / "benchmarks" / "results" / "bench-large.json"
DOCS = ROOT / "docs" / "benchmarks.md"
DOCS_START = "<!-- make bench: generated from here -->"
DOCS_END = "<!-- make bench: generated to here -->"
LARGE_START = "<!-- make bench-large: generated from here -->"
LARGE_END = "<!-- make bench-large: generated to here -->"
CONNECTIONS = 20
WRK_THREADS = 2
CSRF = secrets.token_hex(16)
ACCOUNT, TOKEN = "AC" + "c" * 32, "bench-auth-token"
SUPPORT = "support: case + call now"
# The desk scenarios' load: agents who think between pages (benchmarks/agents.py).
AGENTS = "agents"
# The same load, each request with a query string of its own: visitors the
# page cache has never seen (the uncached scenarios).
VISITORS = "visitors"
UNCACHED_SEARCH = "uncached search"
UNCACHED_LIST = "uncached product list"
ADMIN_ORDERS = "admin's order list"
ADMIN_CASES = "admin's case list"


def desk_names(cases: int) -> tuple[str, str]:
    """The desk scenarios' names, with how many cases the desk has."""
    return (f"desk home + its JSON, {cases:,} cases",
            f"desk's case page, {cases:,} cases")  # fmt: skip


DESK, DESK_CASE = desk_names(DESK_CASES)


@dataclass(frozen=True)
class Mode:
    name: str
    database: str
    redis_url: str
    warmup: int  # seconds of load before each measured run (0: none)
    measure: int  # seconds measured per scenario
    healthz: int  # seconds measured for /healthz
    products: int
    shoppers: int  # signed-in shoppers adding to their carts
    orders_per_second: int  # checkout pools are sized for this, to never run dry
    # The large shop (benchmarks/large.py), loaded with COPY first: customers,
    # their orders (a line and a payment each) and support cases on them.
    customers: int = 0
    orders: int = 0
    cases: int = 0


FULL = Mode(
    name="full",
    database=os.environ.get("BENCH_DATABASE", "hoshii_bench_pages"),
    redis_url=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/9"),
    # 1 s warms every worker (compiled templates, connections); 15 s each
    # keeps the whole run under 3 minutes.
    warmup=1,
    measure=15,
    healthz=5,
    products=2000,
    shoppers=1000,
    orders_per_second=320,
)
# `make bench-large`: the same scenarios on a shop a hundred times larger.
LARGE = dataclasses.replace(
    FULL,
    name="large",
    database=os.environ.get("BENCH_LARGE_DATABASE", "hoshii_bench_pages_large"),
    redis_url=os.environ.get("BENCH_LARGE_REDIS_URL", FULL.redis_url),
    products=200_000,
    customers=100_000,
    orders=1_000_000,
    cases=100_000,
)
SMOKE = Mode(
    name="smoke",
    database="hoshii_bench_pages_smoke",
    redis_url=os.environ.get("BENCH_SMOKE_REDIS_URL", "redis://127.0.0.1:6379/8"),
    warmup=0,
    measure=1,
    healthz=1,
    products=200,
    shoppers=100,
    orders_per_second=300,
)

ADJECTIVES = [
    ("Blue", "青い"), ("Red", "赤い"), ("Cast iron", "鉄の"), ("Bamboo", "竹の"),
    ("Linen", "麻の"), ("Ceramic", "陶器の"), ("Copper", "銅の"),
    ("Walnut", "くるみ材の"), ("Glass", "ガラスの"), ("Wool", "ウールの"),
]  # fmt: skip
NOUNS = [
    ("kettle", "ケトル", "Kitchen"), ("teapot", "急須", "Tea"),
    ("mug", "マグ", "Tableware"), ("bowl", "ボウル", "Tableware"),
    ("towel", "タオル", "Bath"), ("notebook", "ノート", "Stationery"),
    ("pen", "ペン", "Stationery"), ("lamp", "ランプ", "Lighting"),
    ("vase", "花瓶", "Living"), ("blanket", "ブランケット", "Bedding"),
    ("knife", "包丁", "Kitchen"), ("plate", "皿", "Tableware"),
    ("tumbler", "タンブラー", "Glassware"), ("cushion", "クッション", "Living"),
    ("apron", "エプロン", "Kitchen"), ("clock", "時計", "Living"),
]  # fmt: skip
SEARCHES = [
    "kettle", "blue mug", "ceramic", "ケトル", "copper lamp", "linen towel",
    "walnut", "glass vase", "teapot", "wool blanket", "マグ", "cast iron",
]  # fmt: skip


# --- Data -------------------------------------------------------------------


def make_catalog(count: int) -> list:
    """Products across categories, with searchable English and Japanese names."""
    from shop.models import Product

    return Product.objects.bulk_create(catalog_products(count))


def catalog_products(count: int, first_id: int | None = None):
    """The catalog's unsaved products (with their search columns), its
    categories saved first; numbered from ``first_id`` when given (the
    large shop's COPY sets the keys itself)."""
    from shop.models import Category, Product

    categories = {}
    for _noun, _ja, name in NOUNS:
        if name not in categories:
            categories[name] = Category(name=name, slug=f"bench-{name.lower()}")
    Category.objects.bulk_create(categories.values())
    rng = random.Random(8)
    for index in range(count):
        (adjective, adjective_ja), (noun, noun_ja, category) = (
            ADJECTIVES[index % len(ADJECTIVES)],
            NOUNS[(index // len(ADJECTIVES)) % len(NOUNS)],
        )
        product = Product(
            category=categories[category],
            sku=f"BENCH-{index:05d}",
            name=f"{adjective} {noun} No. {index}",
            name_ja=f"{adjective_ja}{noun_ja} {index}号",
            slug=f"bench-{index}",
            description=(
                f"A {adjective.lower()} {noun} made to last, for everyday use "
                "and for giving. Ships in two days, wrapped on request."
            ),
            price=rng.randrange(500, 9000, 100),
            stock_on_hand=1_000_000,
        )
        if first_id is not None:
            product.pk = first_id + index
        # What save() would do: bulk_create and COPY skip it.
        product.refresh_search_fields()
        yield product


def fill_carts(shoppers: list[Shopper], products: list) -> list[tuple]:
    """An open cart per shopper holding one unit of the given product
    (cycled); returns each shopper's checkout form as a request line."""
    from shop.models import Cart, CartLine
    from shop.pricing import totals_for

    carts = Cart.objects.bulk_create(Cart(owner_id=s.user_id) for s in shoppers)
    CartLine.objects.bulk_create(
        CartLine(cart=cart, product=products[index % len(products)], quantity=1)
        for index, cart in enumerate(carts)
    )
    lines = []
    for index, (shopper, cart) in enumerate(zip(shoppers, carts, strict=True)):
        shopper.cart_id = cart.pk
        total = totals_for(products[index % len(products)].price).total
        body = urllib.parse.urlencode(
            {"cart": cart.pk, "address": shopper.address_id, "expected_total": total}
        )
        lines.append(("POST", "/checkout/", shopper.session, body))
    return lines


def make_wishlist(products: list) -> str:
    """A public wedding list of 100 items; returns its share path."""
    from shop.models import User
    from wishlist import services
    from wishlist.models import WishList

    shopper = make_shoppers("couple", 1, phone_from=9_000_000)[0]
    owner = User.objects.get(pk=shopper.user_id)
    wishlist = services.create_wishlist(
        owner=owner,
        title="Aiko & Ren's wedding",
        occasion=WishList.Occasion.WEDDING,
        visibility=WishList.Visibility.PUBLIC,
        address=owner.addresses.get(),
    )
    for index, product in enumerate(products[:100]):
        services.add_item(
            wishlist=wishlist, product=product, actor=owner, quantity=1 + index % 3
        )
    return wishlist.get_share_url()


def migrated_template() -> str:
    """A database migrated to the current migrations, to copy per run.

    Named by a hash of our migrations and the installed packages (whose
    migrations count too), so a new migration makes a new template; an
    advisory lock keeps two benchmarks from building it at once.
    """
    import hashlib
    from importlib import metadata

    import psycopg2

    digest = hashlib.sha256()
    for path in sorted(ROOT.glob("*/migrations/*.py")):
        digest.update(str(path.relative_to(ROOT)).encode() + path.read_bytes())
    for dist in sorted(f"{d.name}=={d.version}" for d in metadata.distributions()):
        digest.update(dist.encode())
    name = f"hoshii_bench_template_{digest.hexdigest()[:12]}"
    conn = psycopg2.connect(dbname="postgres", **PG)
    conn.autocommit = True
    with conn.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(hashtext('hoshii_bench_template'))")
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone() is None:
            cursor.execute(
                "SELECT datname FROM pg_database "
                "WHERE datname LIKE 'hoshii\\_bench\\_template\\_%%'"
            )
            for (stale,) in cursor.fetchall():
                cursor.execute(f'DROP DATABASE "{stale}" WITH (FORCE)')
            building = f"{name}_building"
            url = fresh_database(building)
            subprocess.run(
                [sys.executable, "manage.py", "migrate", "--noinput"],
                cwd=ROOT, check=True, stdout=subprocess.DEVNULL,
                env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.bench",
                     "SECRET_KEY": "benchmark-only-" + "x" * 40, "DATABASE_URL": url,
                     "REDIS_URL": "redis://127.0.0.1:6379/9", "ALLOWED_HOSTS": "x",
                     "CALLBACKS_DIALER": "callbacks.dialers.ConsoleDialer",
                     "SHOP_PAYMENT_PROVIDER": "shop.payments.TestPaymentProvider"},
            )  # fmt: skip
            cursor.execute(f'ALTER DATABASE "{building}" RENAME TO "{name}"')
        cursor.execute("SELECT pg_advisory_unlock(hashtext('hoshii_bench_template'))")
    conn.close()
    return name


def drop_databases(*names: str) -> None:
    import psycopg2

    conn = psycopg2.connect(dbname="postgres", **PG)
    conn.autocommit = True
    with conn.cursor() as cursor:
        for name in names:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    conn.close()


def call_me_now(line_id: int, phone: str) -> str:
    """The get-help form: something else is wrong with this line, call now."""
    return urllib.parse.urlencode(
        {"line": line_id, "problem": "other", "quantity": 1,
         "description": "The lid is missing.", "contact": "call_now",
         "phone": phone, "remedy": ""}
    )  # fmt: skip


# --- Load -------------------------------------------------------------------


class Runner:
    def __init__(self, stack: Stack, workdir: Path) -> None:
        self.stack = stack
        self.port = stack.port
        self.workdir = workdir
        self.files = 0

    def wrk(self, script: str, lines: list[tuple], seconds: int) -> dict:
        """Run one scenario's script over these request lines for ``seconds``;
        the report has the CPU seconds each part of the stack used meanwhile.
        The script ``agents`` is not wrk's: agents with think time
        (``benchmarks/agents.py``)."""
        before = self.stack.cpu()
        if script in (AGENTS, VISITORS):
            report = agents.run(
                port=self.port, lines=lines, csrf=CSRF, agents=CONNECTIONS,
                seconds=seconds, fresh=script == VISITORS,
            )  # fmt: skip
        else:
            report = self._wrk(script, lines, seconds)
        after = self.stack.cpu()
        report["cpu"] = cpu_used(before, after)
        return report

    def _wrk(self, script: str, lines: list[tuple], seconds: int) -> dict:
        self.files += 1
        path = self.workdir / f"{self.files:02d}-{script}.tsv"
        path.write_text("".join("\t".join(map(str, line)) + "\n" for line in lines))
        command = [
            shutil.which("wrk") or "wrk", "--threads", str(WRK_THREADS),
            "--connections", str(CONNECTIONS), "--duration", f"{seconds}s",
            "--timeout", "10s", "--script", str(WRK_SCRIPTS / f"{script}.lua"),
            f"http://127.0.0.1:{self.port}", "--", str(path), CSRF, str(WRK_THREADS),
        ]  # fmt: skip
        done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
        for line in done.stdout.splitlines():
            if line.startswith("BENCH_JSON "):
                return json.loads(line.removeprefix("BENCH_JSON "))
        raise RuntimeError(f"wrk {script} failed: {done.stdout}{done.stderr}")

    def prime(self, paths: list[str]) -> None:
        """Each page requested once, 10 at a time: the warm-up of a scenario
        served by the page cache, so that what is measured is a sale day's
        steady state (every page already asked for), not each page's first
        request."""

        def get(path: str) -> None:
            connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            connection.request("GET", path, headers={"Cookie": f"csrftoken={CSRF}"})
            response = connection.getresponse()
            response.read()
            connection.close()
            if response.status != 200:
                raise RuntimeError(f"GET {path}: {response.status}")

        with ThreadPoolExecutor(max_workers=CONNECTIONS // 2) as pool:
            list(pool.map(get, paths))

    def queries(self, method: str, path: str, session: str, body: str = "") -> int:
        """One request with X-Count-Queries; the SQL queries it ran."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        headers = {"X-Count-Queries": "1", "Cookie": f"csrftoken={CSRF}"}
        if session:
            headers["Cookie"] += f"; sessionid={session}"
        if method == "POST":
            headers["X-CSRFToken"] = CSRF
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection.request(method, path, body=body or None, headers=headers)
        response = connection.getresponse()
        response.read()
        connection.close()
        if response.status >= 400 or "X-Queries" not in response.headers:
            raise RuntimeError(f"{method} {path}: {response.status}")
        return int(response.headers["X-Queries"])


def drain_celery(redis_url: str, timeout: float) -> float:
    """Wait until the worker has taken every queued task (emails, calls), so
    one scenario's background work does not land on the next one's numbers."""
    import redis

    client = redis.Redis.from_url(redis_url)
    started = time.monotonic()
    while client.llen("celery") and time.monotonic() - started < timeout:
        time.sleep(0.2)
    return time.monotonic() - started


def row(name: str, report: dict, queries: dict[str, int], *, repeats_fail: bool):
    seconds = report["duration_us"] / 1e6
    errors = sum(
        report[key]
        for key in ("connect", "read", "write", "timeout", "status", "unexpected")
    )
    if repeats_fail:  # the pool ran dry: requests were sent twice
        errors += report["repeated"]
    return {
        "name": name,
        "rps": round(report["requests"] / seconds, 1),
        "p50_ms": round(report["p50_us"] / 1000, 1),
        "p95_ms": round(report["p95_us"] / 1000, 1),
        "p99_ms": round(report["p99_us"] / 1000, 1),
        "errors": errors,
        "queries": max(queries.values()),
        "queries_by_request": queries,
        "requests": report["requests"],
        "seconds": round(seconds, 2),
        # CPU per request, which a noisy machine disturbs far less than time.
        "cpu_ms": {
            name: round(1000 * used / max(report["requests"], 1), 2)
            for name, used in report["cpu"].items()
        },
    }


def checkout_row(
    name: str, report, accounts: dict, queries: dict[str, int], cpu: dict
) -> dict:
    """A checkout scenario's row: latency over all our requests (checkout,
    return page, webhook), orders placed, webhook lag, and every order not
    placed, charged twice or settled twice counted as an error."""
    latencies = [v for kind in report.latencies.values() for v in kind]
    requests = len(latencies)
    seconds = report.seconds
    errors = (
        len(report.errors) + report.ran_dry + accounts["not_placed"]
        + accounts["webhook_failed"] + len(accounts["returned_unexpected"])
        + accounts["duplicate_charges"] + accounts["duplicate_sessions"]
        + accounts["settled_twice"] + accounts["charged_not_placed"]
    )  # fmt: skip
    by_kind = {
        kind: round(percentile(values, 0.95) * 1000, 1)
        for kind, values in report.latencies.items()
    }
    orders_per_s = round(accounts["placed"] / seconds, 1)
    placed = max(accounts["placed"], 1)
    lag, hook = accounts["lag_placed_ms"], accounts["lag_webhook_ms"]
    notes = [
        f"{orders_per_s:,.1f} orders/s",
        "p95 checkout {checkout:,.0f} · return {return:,.0f} · webhook "
        "{webhook:,.0f} ms".format(**by_kind),
        f"payment → placed p50 {lag['p50']:,.0f} / p95 {lag['p95']:,.0f} ms, "
        f"→ webhook's 200 p50 {hook['p50']:,.0f} / p95 {hook['p95']:,.0f} ms",
        f"placed by the webhook {100 * accounts['placed_by_webhook'] / placed:.0f} %,"
        f" by the return page {100 * accounts['placed_by_return'] / placed:.0f} %",
        f"{accounts['duplicate_charges']} duplicate charges",
        "CPU ms/order web {web:.1f} · db {db:.1f} · worker {worker:.1f} · "
        "fake Stripe and customers {fake:.1f}".format(
            **{part: 1000 * used / placed for part, used in cpu.items()}
        ),
    ]
    if report.errors:
        notes.append(f"errors: {report.errors[:3]}")
    return {
        "name": name,
        "rps": round(requests / seconds, 1),
        "p50_ms": round(percentile(latencies, 0.5) * 1000, 1),
        "p95_ms": round(percentile(latencies, 0.95) * 1000, 1),
        "p99_ms": round(percentile(latencies, 0.99) * 1000, 1),
        "p95_ms_by_request": by_kind,
        "errors": errors,
        "queries": max(queries.values()),
        "queries_by_request": queries,
        "requests": requests,
        "seconds": round(seconds, 2),
        "orders_per_s": orders_per_s,
        **accounts,
        "cpu_ms": {
            part: round(1000 * used / max(requests, 1), 2) for part, used in cpu.items()
        },
        "cpu_ms_per_order": {
            part: round(1000 * used / placed, 2) for part, used in cpu.items()
        },
        "notes": "; ".join(notes),
    }


# --- Reporting ----------------------------------------------------------------


def machine(redis_url: str) -> dict:
    import redis
    from django.db import connection

    cpu = "unknown CPU"
    with open("/proc/cpuinfo") as cpuinfo:
        for line in cpuinfo:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as meminfo:
        memory_kib = int(meminfo.readline().split()[1])
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        postgres = cursor.fetchone()[0].split()[0]
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": round(memory_kib / 1024 / 1024),
        "postgresql": postgres,
        "redis": redis.Redis.from_url(redis_url).info()["redis_version"],
        "wrk": wrk_version(),
        # The interpreter every process of the stack runs on: its build
        # matters (the Makefile's PYTHON says why).
        "python": (
            f"{platform.python_version()} ({os.path.realpath(sys._base_executable)})"
        ),
    }


def wrk_version() -> str:
    done = subprocess.run(
        [shutil.which("wrk") or "wrk", "--version"], capture_output=True, text=True
    )
    return (done.stdout + done.stderr).split()[1]


def table(rows: list[dict]) -> list[str]:
    lines = [
        "| scenario | req/s | % of /healthz | p50 | p95 | p99 | errors "
        "| queries/req | CPU ms/req: web · db · worker | target | notes |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---|",
    ]
    for item in rows:
        share = "" if item["name"] == "healthz" else f"{item['share_of_healthz']:.1f} %"
        cpu = item["cpu_ms"]
        counts = dict(item["queries_by_request"])
        miss = counts.pop("miss", None)
        queries = " + ".join(
            f"{count}" if len(counts) == 1 else f"{name} {count}"
            for name, count in counts.items()
        )
        if miss is not None:
            queries += f" ({miss} on a miss)" if queries else f"{miss}, each a miss"
        lines.append(
            f"| {item['name']} | {item['rps']:,.0f} | {share} "
            f"| {item['p50_ms']:,.1f} ms | {item['p95_ms']:,.1f} ms "
            f"| {item['p99_ms']:,.1f} ms | {item['errors']} | {queries} "
            f"| {cpu['web']:.1f} · {cpu['db']:.1f} · {cpu['worker']:.1f} "
            f"| {verdict(same_scenario(item['name']), item)} "
            f"| {item.get('notes', '')} |"
        )
    return lines


def page_table(pages: list[dict]) -> list[str]:
    lines = ["| page | queries, 10 items | queries, 100 items | ratio |"]
    lines.append("|---|---:|---:|---:|")
    lines += [
        f"| {p['page']} | {p['at_10']} | {p['at_100']} | {p['ratio']:.2f} |"
        for p in pages
    ]
    return lines


def write_docs(rows, pages, about: dict, workers: int) -> None:
    generated = [
        DOCS_START,
        "",
        f"Last run {time.strftime('%Y-%m-%d %H:%M %Z')}: {about['cpu']}, "
        f"{about['cores']} cores, {about['memory_gib']} GiB; PostgreSQL "
        f"{about['postgresql']}, Redis {about['redis']}, wrk {about['wrk']}, "
        f"Python {about['python']}. gunicorn {workers} sync workers, one "
        f"Celery worker (4 threads), "
        f"{CONNECTIONS} connections; a {FULL.warmup} s warm-up (for the pages "
        f"visitors get from the page cache: each page requested once), then "
        f"{FULL.measure} s per scenario ({FULL.healthz} s for /healthz).",
        "",
        *table(rows),
        "",
        "SQL queries per page, signed in, at 10 and at 100 items:",
        "",
        *page_table(pages),
        "",
        DOCS_END,
    ]
    replace_generated(DOCS_START, DOCS_END, generated)


def replace_generated(start: str, end: str, generated: list[str]) -> None:
    """Put ``generated`` (its first line ``start``, its last ``end``) in
    docs/benchmarks.md in place of the section between those markers, or
    at its end the first time."""
    text = DOCS.read_text()
    if start in text and end in text:
        before, rest = text.split(start, 1)
        after = rest.split(end, 1)[1]
        text = before + "\n".join(generated) + after
    else:
        text = text.rstrip("\n") + "\n\n" + "\n".join(generated) + "\n"
    DOCS.write_text(text)


def same_scenario(name: str) -> str:
    """A scenario's name without its size (the desk's number of cases)."""
    import re

    return re.sub(r", [\d,]+ cases$", "", name)


def side_by_side(normal: list[dict], large: list[dict]) -> list[str]:
    """Each scenario at the normal size (the last ``make bench``) and at the
    large size: req/s, p50, p95 and queries per request, and whether the
    large size meets the scenario's target (``benchmarks.targets``)."""
    by_name = {same_scenario(item["name"]): item for item in normal}

    def queries(item: dict | None) -> str:
        if item is None:
            return "—"
        counts = dict(item["queries_by_request"])
        miss = counts.pop("miss", None)
        text = " + ".join(str(count) for count in counts.values())
        if miss is not None:
            text += f" ({miss} on a miss)" if text else f"{miss}"
        return text

    def pair(before: dict | None, after: dict, key: str, unit: str = "") -> str:
        fmt = "{:,.0f}" if key == "rps" else "{:,.1f}"
        first = "—" if before is None else fmt.format(before[key]) + unit
        return f"{first} → {fmt.format(after[key])}{unit}"

    lines = [
        "| scenario | req/s | p50 | p95 | queries/req | errors | target, large size |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    for item in large:
        before = by_name.get(same_scenario(item["name"]))
        lines.append(
            f"| {item['name']} | {pair(before, item, 'rps')} "
            f"| {pair(before, item, 'p50_ms', ' ms')} "
            f"| {pair(before, item, 'p95_ms', ' ms')} "
            f"| {queries(before)} → {queries(item)} | {item['errors']} "
            f"| {verdict(same_scenario(item['name']), item)} |"
        )
    return lines


def write_large_docs(
    rows: list[dict], about: dict, workers: int, load_seconds: float | None
) -> None:
    normal = json.loads(RESULTS.read_text()) if RESULTS.exists() else []
    load = os.getloadavg()
    generated = [
        LARGE_START,
        "",
        f"Last run {time.strftime('%Y-%m-%d %H:%M %Z')}: {about['cpu']}, "
        f"{about['cores']} cores, {about['memory_gib']} GiB; PostgreSQL "
        f"{about['postgresql']}, Python {about['python']}; gunicorn {workers} "
        f"sync workers, {CONNECTIONS} connections, as `make bench`. The large shop: "
        f"{LARGE.products:,} products, {LARGE.customers:,} customers, "
        f"{LARGE.orders:,} orders (a line and a payment each), "
        f"{LARGE.cases:,} cases (and the desk's {DESK_CASES:,}), loaded with "
        f"COPY in {load_seconds or 0:.0f} s. Load average at the end "
        f"{load[0]:.2f} / {load[1]:.2f} / {load[2]:.2f} (1 / 5 / 15 min). "
        "Each cell: the normal size (benchmarks/results/bench.json, the last "
        "`make bench`; — where it has no such row) → the large size.",
        "",
        *side_by_side(normal, rows),
        "",
        LARGE_END,
    ]
    replace_generated(LARGE_START, LARGE_END, generated)


# --- The run ----------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--smoke", action="store_true", help="a second a scenario")
    parser.add_argument("--output", type=Path, help="where to write the JSON")
    parser.add_argument(
        "--only", metavar="TEXT", help="/healthz and the scenarios named with TEXT"
    )
    parser.add_argument(
        "--large",
        action="store_true",
        help="on the large shop (200,000 products, 1,000,000 orders), loaded first",
    )
    arguments = parser.parse_args()

    def wanted(name: str) -> bool:
        return not arguments.only or name == "healthz" or arguments.only in name

    mode = SMOKE if arguments.smoke else LARGE if arguments.large else FULL
    desk_name, desk_case_name = desk_names(DESK_CASES + mode.cases)
    if arguments.smoke:  # test runs may overlap: a database each, dropped after
        mode = dataclasses.replace(mode, database=f"{mode.database}_{os.getpid()}")
    # A partial run never replaces the full run's results.
    results = RESULTS_LARGE if arguments.large else RESULTS
    output = arguments.output or (None if arguments.only else results)
    # cores + 1: here PostgreSQL, Redis, the worker and wrk share the cores,
    # and 3 workers beat 2 x cores + 1 on 2 cores by 15-45 % on most pages
    # (docs/benchmarks.md). Production, with its database elsewhere, keeps
    # gunicorn's 2 x cores + 1 (config/gunicorn.py).
    workers = int(os.environ.get("BENCH_WORKERS", (os.cpu_count() or 1) + 1))
    started = time.monotonic()
    port = free_port()
    fake = FakeTwilio(ACCOUNT, TOKEN).start()
    stripe_fake = FakeStripe().start()
    template = migrated_template()
    stack = Stack(
        database=mode.database,
        redis_url=mode.redis_url,
        port=port,
        template=template,
        extra_env={
            "STATIC_ROOT": str(ROOT / "var" / f"bench-{mode.name}-static"),
            "EMAIL_URL": "dummymail://",
            **fake_twilio_env(fake, port=port),
            # Checkout pays through Stripe Checkout, on the fake Stripe.
            "SHOP_PAYMENT_PROVIDER": "shop.payments.StripeProvider",
            "STRIPE_API_BASE": stripe_fake.base_url,
            "STRIPE_SECRET_KEY": stripe_fake.api_key,
            "STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET,
            "CALLBACKS_MAX_PER_HOUR": "1000000",
            "CALLBACKS_SHOP_MAX_PER_HOUR": "1000000",
            "CALLBACKS_CALLS_PER_SECOND": "1000",
            "CALLBACKS_CALL_BURST": "1000",
        },
    )
    os.environ.update(stack.env)  # this process loads the same database
    workdir = Path(tempfile.mkdtemp(prefix="hoshii-bench-"))
    background: list[subprocess.Popen] = []
    try:
        static = subprocess.Popen(
            [sys.executable, "manage.py", "collectstatic", "--noinput"],
            cwd=ROOT, env=stack.env, stdout=subprocess.DEVNULL,
        )  # fmt: skip
        background.append(static)
        import django

        django.setup()
        import redis
        from django.db import connection
        from django.db.models import OuterRef, Subquery, Sum
        from django.db.models.functions import Coalesce
        from django.urls import reverse

        from shop.models import Order, OrderLine, Product

        if not arguments.smoke:  # a smoke run may share it with another
            redis.Redis.from_url(mode.redis_url).flushdb()
        # Loading data only, on this process's connection: no fsync per
        # commit. The server's connections keep PostgreSQL's defaults.
        connection.cursor().execute("SET synchronous_commit TO off")
        if mode.orders:
            from benchmarks import large

            load_started = time.monotonic()
            products = large.load(
                products=mode.products, customers=mode.customers,
                orders=mode.orders, cases=mode.cases,
                make_products=catalog_products,
            )  # fmt: skip
            load_seconds = time.monotonic() - load_started
        else:
            products = make_catalog(mode.products)
            load_seconds = None
        if static.wait() != 0:
            raise RuntimeError("collectstatic failed")
        # Queries per page at 10 and 100 items: its own process and database,
        # while this one loads the catalog and the stack starts.
        pages_json = workdir / "pages.json"
        pages_env = {
            **stack.env,
            "DATABASE_URL": fresh_database(f"{mode.database}_pages", template),
            # Its emails stay in its own process: the stack's worker would
            # look for them in the other database.
            "CELERY_BROKER_URL": "memory://",
            # Its orders are paid as the tests pay them, on the test provider.
            "SHOP_PAYMENT_PROVIDER": "shop.payments.TestPaymentProvider",
        }
        pages_process = subprocess.Popen(
            [sys.executable, "-m", "benchmarks.pagequeries", str(pages_json)],
            cwd=ROOT, env=pages_env,
        )  # fmt: skip
        background.append(pages_process)
        stack.start_web(workers=workers, wait=False)
        share_path = make_wishlist(products)
        seconds = mode.warmup + mode.measure
        pool = mode.orders_per_second * seconds + 1
        many_shoppers = make_shoppers("buyer", pool, phone_from=0)
        many = fill_carts(many_shoppers, products[: len(products) // 2])
        hot_product = products[len(products) // 2]

        def stock_and_sold() -> tuple[int, int]:
            """The hot product's stock and the units sold of it, read in one
            statement, so in one snapshot: a checkout still in flight when
            wrk stops commits both or neither (two reads once showed one
            more unit sold than taken, an oversell that was not)."""
            sold = (
                OrderLine.objects.filter(product=OuterRef("pk"))
                .values("product")
                .annotate(units=Sum("quantity"))
                .values("units")
            )
            return (
                Product.objects.filter(pk=hot_product.pk)
                .annotate(sold=Coalesce(Subquery(sold), 0))
                .values_list("stock_on_hand", "sold")
                .get()
            )

        hot_shoppers = make_shoppers("fan", pool, phone_from=3_000_000)
        hot = fill_carts(hot_shoppers, [hot_product])
        cart_shoppers = make_shoppers(
            "shopper", mode.shoppers + 1, phone_from=6_000_000
        )
        fill_carts(cart_shoppers, products[-1:])  # an open cart, one line already
        # An agent's desk over many cases (after the carts: its own users).
        desk = (
            make_desk(products)
            if any(
                wanted(name)
                for name in (desk_name, desk_case_name, ADMIN_ORDERS, ADMIN_CASES)
            )
            else None
        )
        # Planner statistics, as autovacuum keeps them on a live database: a
        # freshly loaded table is planned as if it were nearly empty, and a
        # GIN index's own statistics (search's trigram index) are gathered
        # by VACUUM only; until then the planner thinks it costlier than
        # reading the whole table.
        connection.cursor().execute("VACUUM ANALYZE shop_product")
        connection.cursor().execute("ANALYZE")
        stack.wait_for_web()
        stack.start_worker(4)
        about = machine(mode.redis_url)
        if pages_process.wait() != 0:
            raise RuntimeError("counting queries per page failed")
        pages = json.loads(pages_json.read_text())
        print(f"stack and data ready in {time.monotonic() - started:.0f} s", flush=True)
        runner = Runner(stack, workdir)

        rng = random.Random(20)
        page_count = -(-len(products) // 24)
        catalog_paths = [f"/?page={page}" for page in range(1, page_count + 1)] + [
            f"/?category=bench-{name.lower()}&page={page}"
            for _noun, _ja, name in NOUNS
            for page in (1, 2)
        ]
        rng.shuffle(catalog_paths)
        # At most 500 pages (all of the normal-size shop's 84): the large
        # shop's 8,334 would take the warm-up longer than the run.
        catalog_paths = catalog_paths[:500]
        detail_paths = [
            f"/products/{p.slug}/"
            for p in rng.sample(products, min(500, len(products)))
        ]
        search_paths = [f"/?q={urllib.parse.quote(term)}" for term in SEARCHES]
        gets = {
            "healthz": ["/healthz"],
            "product_list": catalog_paths,
            "product_detail": detail_paths,
            "search": search_paths,
            "wishlist": [share_path],
        }
        probe, *cart_shoppers = cart_shoppers
        cart_lines = []
        for round_ in range(6):
            for index, shopper in enumerate(cart_shoppers):
                product = products[(index * 7 + round_ * 131) % len(products)]
                cart_lines.append(
                    ("POST", f"/cart/add/{product.pk}/", shopper.session, "quantity=1")
                )
                cart_lines.append(("GET", "/cart/", shopper.session, ""))

        def split(lines: list) -> tuple[list, list]:
            """Warm-up and measured runs must not share one-shot requests:
            each gets its share of the pool, by its length."""
            cut = len(lines) * mode.warmup // (mode.warmup + mode.measure)
            return lines[:cut], lines[cut:]

        rows = []
        healthz_rps = None

        def keep(result: dict, note: str) -> dict:
            """A scenario's row, with its req/s as a share of /healthz's,
            printed as it comes in."""
            result["healthz_rps"] = healthz_rps
            result["share_of_healthz"] = round(100 * result["rps"] / healthz_rps, 1)
            rows.append(result)
            print(
                f"  {result['name']:30} {result['rps']:8,.0f} req/s  p95 "
                f"{result['p95_ms']:7.1f} ms  errors {result['errors']}  {note}",
                flush=True,
            )
            return result

        def scenario(name, script, lines, queries, *, once=False, prime=False):
            nonlocal healthz_rps
            warm, measured = split(lines) if once else (lines, lines)
            if prime:
                runner.prime([path for _method, path, *_rest in lines])
            elif mode.warmup:
                runner.wrk(script, warm, mode.warmup)
            counted = {key: runner.queries(*request) for key, request in queries}
            length = mode.healthz if name == "healthz" else mode.measure
            result = row(
                name, runner.wrk(script, measured, length), counted, repeats_fail=once
            )
            healthz_rps = healthz_rps or result["rps"]
            return keep(result, f"CPU/req web {result['cpu_ms']['web']:.1f} ms")

        for name, script in [
            ("healthz", "healthz"),
            ("product list", "product_list"),
            ("product detail", "product_detail"),
            ("search", "search"),
            ("wish list, 100 items", "wishlist"),
        ]:
            if not wanted(name):
                continue
            path = gets[script][0]
            if script == "healthz":
                scenario(
                    name, script, [("GET", path, "", "")], [("page", ("GET", path, ""))]
                )
                continue
            # Visitors who are not signed in: after its first request a page
            # comes from the page cache (no query); what a miss costs is
            # counted on the same page under a query string never seen.
            miss = f"{path}{'&' if '?' in path else '?'}uncached={time.time_ns()}"
            scenario(
                name,
                script,
                [("GET", p, "", "") for p in gets[script]],
                [("page", ("GET", path, "")), ("miss", ("GET", miss, ""))],
                prime=True,
            )

        # The same pages for visitors the page cache has never seen: every
        # request adds a query string of its own. 20 visitors who read each
        # page about a second (benchmarks/agents.py), not wrk's 20 connections
        # without a pause: at those, 3 sync workers queue every rendered page
        # behind the others and the p95 measures the queue, not the page. As
        # long as the other scenarios: at ~16 requests a second, 5 s gave ~80
        # requests, and a p95 of their 4th slowest moved by 20 ms run to run.
        for name, script in [
            (UNCACHED_SEARCH, "search"),
            (UNCACHED_LIST, "product_list"),
        ]:
            if not wanted(name):
                continue
            path = gets[script][0]
            miss = f"{path}{'&' if '?' in path else '?'}uncached={time.time_ns()}"
            scenario(
                name,
                VISITORS,
                [("GET", p, "", "") for p in gets[script]],
                [("miss", ("GET", miss, ""))],
            )

        add_product = products[3].pk
        if wanted("cart add + view"):
            scenario(
                "cart add + view",
                "cart",
                cart_lines,
                [
                    ("add", ("POST", f"/cart/add/{add_product}/", probe.session,
                             "quantity=1")),
                    ("view", ("GET", "/cart/", probe.session)),
                ],
            )  # fmt: skip

        if desk and wanted(desk_name):
            desk_page = reverse("admin:support_case_desk")
            desk_json = reverse("admin:support_case_desk_json")
            scenario(
                desk_name,
                AGENTS,
                [
                    ("GET", desk_page, desk.session, ""),
                    ("GET", desk_json, desk.session, ""),
                ],
                [
                    ("page", ("GET", desk_page, desk.session)),
                    ("json", ("GET", desk_json, desk.session)),
                ],
            )
        if desk and wanted(desk_case_name):
            case_page = reverse("admin:support_case_change", args=[desk.case_id])
            scenario(
                desk_case_name,
                AGENTS,
                [("GET", case_page, desk.session, "")],
                [("page", ("GET", case_page, desk.session))],
            )
        # The admin's lists, first page, as the agent opens them: every
        # order, and every case (the desk's own list is the desk home). As
        # long as the other scenarios, for a steadier p95 (above).
        for name, url in [
            (ADMIN_ORDERS, "admin:shop_order_changelist"),
            (ADMIN_CASES, "admin:support_case_changelist"),
        ]:
            if desk and wanted(name):
                page = reverse(url)
                scenario(
                    name,
                    AGENTS,
                    [("GET", page, desk.session, "")],
                    [("page", ("GET", page, desk.session))],
                )

        flow = PayFlow(port=port, fake=stripe_fake, csrf=CSRF, concurrency=CONNECTIONS)
        for name, lines, hot_only in [
            ("checkout, many products", many, False),
            ("checkout, one hot product", hot, True),
        ]:
            # Support files cases about the orders these place.
            if not (wanted(name) or wanted(SUPPORT)):
                continue
            drain_celery(mode.redis_url, timeout=10)
            stock_before, sold_before = stock_and_sold()
            webhook_first, return_first, *lines = lines
            warm, measured = split(lines)
            if mode.warmup:
                flow.run(warm, mode.warmup)
            counted = flow.count_queries(webhook_first, return_first)
            before, here = stack.cpu(), os.times()
            report = flow.run(measured, mode.measure)
            used = cpu_used(before, stack.cpu())
            # This process: the fake Stripe and the customers driving it.
            used["fake"] = sum(os.times()[:2]) - sum(here[:2])
            result = checkout_row(
                name, report, account(report, stripe_fake), counted, used
            )
            if hot_only:
                stock_after, sold_after = stock_and_sold()
                sold = sold_after - sold_before
                taken = stock_before - stock_after
                result["oversold"] = stock_after < 0 or taken != sold
                result["errors"] += result["oversold"]
                result["notes"] += (
                    f"; {sold:,} units sold, {taken:,} taken from stock: "
                    + ("**oversold**" if result["oversold"] else "no oversell")
                )
            keep(result, result["notes"])

        # Support: each order the checkouts placed has one line to file about.
        drain_celery(mode.redis_url, timeout=10)
        sessions = {s.user_id: s for s in many_shoppers + hot_shoppers}
        support_lines = [
            ("POST", f"/help/orders/{order_id}/", sessions[buyer].session,
             call_me_now(line_id, sessions[buyer].phone))
            for order_id, buyer, line_id in Order.objects.filter(
                buyer_id__in=list(sessions), status=Order.Status.PLACED
            )
            .order_by("pk")
            .values_list("pk", "buyer_id", "lines__pk")
        ]  # fmt: skip
        if wanted(SUPPORT):
            head, *support_lines = support_lines
            support = scenario(
                SUPPORT, "support", support_lines, [("file case", head)], once=True
            )
            support["calls_placed"] = len(fake.created)
    finally:
        for process in background:
            if process.poll() is None:
                process.kill()
        stack.stop()
        fake.stop()
        stripe_fake.stop()
        shutil.rmtree(workdir, ignore_errors=True)
        if arguments.smoke:
            from django.db import connections

            connections.close_all()
            drop_databases(mode.database, f"{mode.database}_pages")

    print()
    for line in table(rows):
        print(line)
    print()
    for line in page_table(pages):
        print(line)
    if output:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(json.dumps(rows, indent=2, ensure_ascii=False) + "\n")
        print(f"\nwritten to {output}")
    if arguments.large and not arguments.only:
        write_large_docs(rows, about, workers, load_seconds)
        print(f"and to {DOCS.relative_to(ROOT)}")
    elif not (arguments.smoke or arguments.only):
        write_docs(rows, pages, about, workers)
        print(f"and to {DOCS.relative_to(ROOT)}")
    print(f"in {time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    main()
