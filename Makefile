# Cofactor: `make run` serves the demo on SQLite (with its email worker); `make test`
# runs the whole suite; `make test-fast` is the inner loop while you work.
PORT ?= 8000
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python

# Links in emails point at the port the demo really runs on (`make run PORT=8080`).
COFACTOR_SITE_URL ?= http://127.0.0.1:$(PORT)

# Development only: DEBUG on, plain HTTP, MFA not required, a throwaway secret.
DEV_ENV := DJANGO_DEBUG=1 DJANGO_SECURE_SSL_REDIRECT=0 COFACTOR_REQUIRE_STAFF_MFA=0 \
	DJANGO_SECRET_KEY=development-only-secret-not-for-production \
	COFACTOR_SITE_URL=$(COFACTOR_SITE_URL)

.PHONY: run test test-fast lint format bench clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.runtime-installed: requirements.txt | $(PY)
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev-installed: requirements.txt requirements-dev.txt | $(PY)
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@ $(VENV)/.runtime-installed

run: $(VENV)/.runtime-installed
	$(DEV_ENV) $(PY) manage.py migrate --noinput
	$(DEV_ENV) $(PY) manage.py createcachetable
	$(DEV_ENV) $(PY) manage.py seed_demo
	@echo
	@echo "Cofactor is running at http://127.0.0.1:$(PORT)/  (Ctrl+C to stop)"
	@echo "Emails are sent by the worker below and printed to this console."
	@echo
	# The email worker runs beside the web server and stops with it.
	$(DEV_ENV) $(PY) manage.py db_worker --no-reload & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(DEV_ENV) $(PY) manage.py runserver 127.0.0.1:$(PORT)

# Full strength, as CI runs it: every fuzzing example, slow tests, browser tests.
test: $(VENV)/.dev-installed
	HYPOTHESIS_PROFILE=full $(PY) -m pytest $(PYTEST_ARGS)

# The inner loop: no browser, no test marked slow, a few fuzzing examples each
# (tests/fuzzing.py). Run `make test` before you push.
test-fast: $(VENV)/.dev-installed
	HYPOTHESIS_PROFILE=fast $(PY) -m pytest --ignore=tests/e2e -m "not slow" -q $(PYTEST_ARGS)

lint: $(VENV)/.dev-installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(VENV)/.dev-installed
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

clean:
	rm -rf $(VENV) staticfiles .pytest_cache

# Benchmarks print figures; they never fail on a slow machine.
bench: $(VENV)/.dev-installed
	@for script in bench/bench_*.py; do $(PY) -m bench.$$(basename $$script .py) || exit 1; done
