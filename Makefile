# dysa — the two commands are `make run` and `make test` (see README.md).
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
UV := $(VENV)/bin/uv
UV_VERSION := 0.13.9
export UV_PROJECT_ENVIRONMENT := $(VENV)
export UV_LINK_MODE := copy

.PHONY: install services stop-services run test test-fast lint format bench e2e-deps clean bytecode prod-check

$(VENV)/.installed: pyproject.toml uv.lock
	@test -x $(PY) || python3 -m venv $(VENV)
	@test -x $(UV) || $(PY) -m pip install -q "uv==$(UV_VERSION)"
	$(UV) sync --frozen --quiet --compile-bytecode
	@$(MAKE) --no-print-directory bytecode
	@touch $@

# The project's own modules compiled once at install (uv compiles the dependencies): where the
# environment disables bytecode writing (PYTHONDONTWRITEBYTECODE, common in containers) every
# process start would compile them again. Re-run after editing code under that setting.
bytecode:
	@$(PY) -m compileall -q -j 0 platform tenants shared_apps tenant_apps infra manage.py

# Front-end packages (htmx, Chart.js; axe-core for the browser tests) from the npm registry,
# exactly as package-lock.json pins them; the app serves them under /static/vendor/.
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

# Spanish translations: each app's locale/es/LC_MESSAGES/django.po compiled to .mo (not
# committed) whenever a .po changes, by GNU gettext's msgfmt (.ci/run installs it); plain msgfmt
# rather than compilemessages, which would need the settings and so the running services.
LOCALE_SOURCES := $(shell find tenants shared_apps tenant_apps platform -name '*.po' 2>/dev/null)
.dev/locale.stamp: $(LOCALE_SOURCES) | $(VENV)/.installed
	@mkdir -p .dev
	@for po in $(LOCALE_SOURCES); do msgfmt --check-format -o "$${po%.po}.mo" "$$po" || exit 1; done
	@touch $@

install: $(VENV)/.installed node_modules/.installed .dev/locale.stamp

# Starts (or reuses) embedded PostgreSQL + Redis unless DATABASE_URL / REDIS_URL are set.
services: install
	@$(PY) infra/devservices.py start

stop-services: install
	@$(PY) infra/devservices.py stop

run: services
	$(PY) manage.py migrate_schemas -v 0
	$(PY) manage.py seed_demo
	$(PY) infra/run.py

test: services
	$(PY) -m pytest $(PYTEST_ARGS)

# Everything but the browser tests, for a quick loop.
test-fast: services
	$(PY) -m pytest -m "not e2e" $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy .
	$(VENV)/bin/lint-imports --no-cache

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

# `make bench` runs every benchmark but the soak; `make bench soak` (or `make bench api ...`)
# runs those named.
BENCH_NAMES := $(filter-out bench,$(MAKECMDGOALS))
bench: services
	$(PY) -m tests.benchmarks $(BENCH_NAMES) $(BENCH_ARGS)

ifeq (bench,$(firstword $(MAKECMDGOALS)))
$(BENCH_NAMES):
	@:
endif

# The production configuration, run here for real: Debian's nginx (TLS with a generated wildcard
# certificate) in front of gunicorn with config.settings.production, plus the deployment files'
# checks (compose, Kubernetes, Dockerfile). A few minutes; .ci/run calls it after `make test`.
prod-check: services
	DYSA_PROD_CHECK=1 $(PY) -m pytest tests/infra -p no:randomly $(PYTEST_ARGS)

clean: stop-services
	rm -rf .dev .bench

# The fault suite alone (also part of `make test`): Redis and PostgreSQL restarted, a hanging
# language model, S3 failing, a Celery worker killed mid-task (docs/operations.md, "Incidents").
.PHONY: faults
faults: services
	$(PY) -m pytest tests/faults -p no:randomly $(PYTEST_ARGS)
