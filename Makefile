# Hoshii: `make run` to try the shop, `make test` to check it.
# Both create the virtualenv and install the pinned dependencies themselves.

# The interpreter the virtualenv is made from. The distribution's Python 3.11,
# where it can make a virtualenv, is built with profile-guided and link-time
# optimisation, as the official python:3.11 image production runs on
# (Dockerfile) is; pyenv's default build is neither, and runs the shop's
# requests about a fifth slower (docs/benchmarks.md), so the tests and the
# benchmarks would not run at production's speed. PYTHON=... picks another.
SYSTEM_PYTHON := /usr/bin/python3.11
SYSTEM_PYTHON_MAKES_VENVS := $(shell $(SYSTEM_PYTHON) -c 'import venv, ensurepip' 2>/dev/null && echo yes)
PYTHON ?= $(if $(SYSTEM_PYTHON_MAKES_VENVS),$(SYSTEM_PYTHON),python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
# Links in the emails printed by `make run` point at the port it serves on.
SITE_URL ?= http://127.0.0.1:$(PORT)
export SITE_URL
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: run test audit lint services core-services tools messages browser bench bench-large bench-callbacks clean help

help:
	@echo "make run    start the shop and a Celery worker on http://127.0.0.1:$(PORT)/"
	@echo "make test   lint, check the import contracts and run the whole test suite"
	@echo "make audit  Lighthouse on the main pages (part of make test): docs/lighthouse.md"
	@echo "make bench  page load like a sale day on the real stack (under 3 minutes)"
	@echo "make bench-large   the same on a shop of 200,000 products and 1,000,000 orders"
	@echo "make bench-callbacks   measure call-me-now latency on the real stack"

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' \
	  || { echo "Hoshii needs Python 3.11 ($(PYTHON) is $$($(PYTHON) --version))"; exit 1; }
	@echo "Making $(VENV) with $(PYTHON): $$($(PYTHON) --version)"
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.run-installed: requirements/run.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements/run.txt
	touch $@

$(VENV)/.test-installed: requirements/test.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements/test.txt
	touch $@ $(VENV)/.run-installed

# requirements/bench.txt is the test set plus py-spy, for profiling under load.
$(VENV)/.bench-installed: requirements/bench.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements/bench.txt
	touch $@ $(VENV)/.test-installed $(VENV)/.run-installed

run: $(VENV)/.run-installed messages
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	@echo
	@echo "  Hoshii is starting at http://127.0.0.1:$(PORT)/  (admin: /admin/)"
	@echo "  Stop with Ctrl-C."
	@echo
	HOSHII_PORT=$(PORT) exec $(BIN)/honcho --procfile Procfile.dev start

# PostgreSQL, Redis and RabbitMQ at DATABASE_URL, REDIS_URL and RABBITMQ_URL
# (the tests' defaults when unset), started here only if they are local and
# down. RabbitMQ runs the exactly-once callback tests a second time.
services:
	@scripts/ensure-services.sh

# The same without RabbitMQ, for what runs on Redis alone.
core-services:
	@scripts/ensure-services.sh postgres redis

# wrk (the benchmarks' load generator) and gettext: installed with apt-get on
# Debian; elsewhere the script says what to install.
tools:
	@scripts/ensure-tools.sh wrk msgfmt

# Compiled translations (.mo) are build products, not in git: each is
# rebuilt only when its .po is newer (compilemessages skips fresh ones too).
MO_FILES := $(patsubst %.po,%.mo,$(wildcard locale/*/LC_MESSAGES/*.po))

messages: $(MO_FILES)

$(MO_FILES): %.mo: %.po | $(VENV)/.run-installed
	@scripts/ensure-tools.sh msgfmt
	$(BIN)/python manage.py compilemessages --ignore=.venv --ignore=node_modules

# The browser journeys (tests/e2e) drive Chromium (Debian's, or CHROMIUM),
# never a browser Playwright downloads, and check pages with axe-core from npm;
# the audit (tests/audit) runs Lighthouse from npm in that same Chromium.
browser: node_modules/.package-lock.json
	@scripts/ensure-browser.sh

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

lint: $(VENV)/.test-installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

test: $(VENV)/.test-installed services tools browser lint messages
	DJANGO_SETTINGS_MODULE=config.settings.test $(BIN)/python manage.py makemigrations --check --dry-run
	@# pytest exits 5 when it collected no tests: that is a failure here.
	PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 $(BIN)/pytest; status=$$?; \
	  if [ $$status -eq 5 ]; then echo "pytest ran no tests: failing" >&2; exit 1; fi; \
	  exit $$status

# Lighthouse on the home page, a product, a wish list, the cart and the login
# page (about a minute): accessibility, best practices and SEO must be 100;
# writes docs/lighthouse.md. `make test` runs it too, with the whole suite.
audit: $(VENV)/.test-installed core-services browser messages
	@# pytest exits 5 when it collected no tests: that is a failure here.
	$(BIN)/pytest tests/audit; status=$$?; \
	  if [ $$status -eq 5 ]; then echo "pytest ran no tests: failing" >&2; exit 1; fi; \
	  exit $$status

# Pages under load like a sale day, on the production-shaped stack (under 3
# minutes): writes benchmarks/results/bench.json and docs/benchmarks.md.
bench: $(VENV)/.bench-installed core-services tools messages
	$(BIN)/python -m benchmarks.bench

# The same scenarios on a large shop (200,000 products, 100,000 customers,
# 1,000,000 orders, 100,000 cases, loaded with COPY first), side by side with
# the last `make bench`: writes benchmarks/results/bench-large.json and its
# section of docs/benchmarks.md. Needs a few GB of disk.
bench-large: $(VENV)/.bench-installed core-services tools messages
	$(BIN)/python -m benchmarks.bench --large

# Phone callbacks on the production-shaped stack (about 3 minutes); on
# RabbitMQ with BENCH_BROKER_URL=amqp://… (docs/benchmarks.md).
bench-callbacks: $(VENV)/.test-installed core-services messages
	$(BIN)/python -m benchmarks.callbacks

clean:
	rm -rf $(VENV) var staticfiles .pytest_cache .ruff_cache
