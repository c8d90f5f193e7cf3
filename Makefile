# Atende Chat: `make run` serves the embedded default, `make test` runs every test.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000

# Django 6 needs Python 3.12 or newer: the first one that really runs (pyenv shims may not).
PYTHON ?= $(shell for c in python3.13 python3.12 python3 $(wildcard $(HOME)/.pyenv/versions/3.13*/bin/python3) $(wildcard $(HOME)/.pyenv/versions/3.12*/bin/python3) /usr/local/bin/python3.13 /usr/local/bin/python3.12; do \
	if command -v $$c >/dev/null 2>&1 && $$c -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' >/dev/null 2>&1; then command -v $$c; break; fi; done)

# Tests run on production parity: PostgreSQL and Redis at their local default addresses.
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/atende_chat
TEST_REDIS_URL ?= redis://127.0.0.1:6379/0
TEST_ENV := DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) DEBUG=false SECRET_KEY=test-only-secret-key \
	ALLOWED_HOSTS=testserver,127.0.0.1,localhost SECURE_SSL_REDIRECT=false SESSION_COOKIE_SECURE=false \
	CSRF_COOKIE_SECURE=false SECURE_HSTS_SECONDS=0 VAR_DIR=$(CURDIR)/var/test
RUN_ENV := DEBUG=true

.PHONY: help python venv run test lint check-services chromium nginx gettext messages screenshots bench worker clean

help:
	@echo "make run    install, migrate, load the demo data and serve on http://127.0.0.1:$(PORT)"
	@echo "make test   install and run every test (needs PostgreSQL and Redis on 127.0.0.1)"
	@echo "make bench  run the benchmarks and write bench/RESULTS.md"
	@echo "make screenshots  retake the README's screenshots (docs/screenshots/)"

python:
	@if [ -z "$(PYTHON)" ]; then echo "Erro: é preciso Python 3.12 ou mais novo (Django 6)." >&2; exit 1; fi
	@echo $(PYTHON)

$(VENV)/.installed: requirements.txt requirements-dev.txt
	@if [ -z "$(PYTHON)" ]; then \
		echo "Erro: é preciso Python 3.12 ou mais novo (Django 6). Instale python3.12 ou python3.13" >&2; \
		echo "  (Debian/Ubuntu: apt-get install python3.12 python3.12-venv; ou pyenv install 3.13)." >&2; \
		exit 1; fi
	@echo "Using $(PYTHON) ($$($(PYTHON) --version))"
	@if [ -x $(PY) ] && ! $(PY) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)'; then rm -rf $(VENV); fi
	@[ -x $(PY) ] || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	@touch $@

venv: $(VENV)/.installed

run: venv messages
	@mkdir -p var/staticfiles
	@# A development .env (DEBUG=true) so that plain manage.py commands work too; never overwritten.
	@[ -f .env ] || { printf '# Development settings written by make run (see .env.example for production).\nDEBUG=true\n' > .env; echo "Wrote .env with DEBUG=true for development."; }
	$(RUN_ENV) $(PY) manage.py migrate --noinput
	$(RUN_ENV) $(PY) manage.py seed_demo
	$(RUN_ENV) $(PY) manage.py runserver 127.0.0.1:$(PORT)

worker: venv
	$(PY) -m celery -A atende_chat worker --beat --loglevel=INFO

check-services: venv
	@$(TEST_ENV) $(PY) scripts/check_services.py

chromium:
	@bash scripts/ensure_chromium.sh

nginx:
	@bash scripts/ensure_nginx.sh

gettext:
	@bash scripts/ensure_gettext.sh

# The .mo files are built, never committed: locale/ holds only the .po sources.
messages: venv gettext
	@cd locale && DEBUG=true ../$(PY) ../manage.py compilemessages --verbosity 0

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

test: venv check-services chromium nginx messages
	@mkdir -p var/test/staticfiles
	$(TEST_ENV) $(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/ruff check .
	$(TEST_ENV) $(PY) -m pytest $(PYTEST_ARGS)

# The README's pictures (docs/screenshots/*.png, 1280x800), taken from the live stack by tests/e2e/test_screenshots.py.
screenshots: venv check-services chromium messages
	@mkdir -p var/test/staticfiles
	$(TEST_ENV) SCREENSHOTS=1 $(PY) -m pytest tests/e2e -k screenshots -q $(PYTEST_ARGS)
	@echo "Capturas de tela em docs/screenshots/"

# The bench has its own database and Redis db (BENCH_ARGS=--smoke for a tiny run).
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/atende_bench
BENCH_REDIS_URL ?= redis://127.0.0.1:6379/6
bench: venv check-services
	$(TEST_ENV) BENCH_DATABASE_URL=$(BENCH_DATABASE_URL) BENCH_REDIS_URL=$(BENCH_REDIS_URL) $(PY) bench/run.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) var/test .pytest_cache
