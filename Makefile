# The two commands: `make run` serves the catalogue, `make test` runs every test.
# Both create .venv and install what they need; PostgreSQL is embedded unless DATABASE_URL is set.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint format install dev-install migrate demo bench loadtest audit frontend backup restore

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Stamp files: reinstall only when pyproject.toml changes.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	@touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@ $(VENV)/.installed

install: $(VENV)/.installed
dev-install: $(VENV)/.installed-dev

migrate: install
	$(BIN)/python manage.py migrate --no-input

# Backups (docs/operations.md): `make backup` writes backups/catalogue-<UTC time>.dump (or
# FILE=…); `make restore FILE=backups/….dump` asks before replacing the database (YES=1 does not).
backup: install
	$(BIN)/python manage.py backup $(if $(FILE),--output '$(FILE)')

restore: install
	@test -n '$(FILE)' || { echo 'usage: make restore FILE=backups/catalogue-….dump [YES=1]' >&2; exit 2; }
	$(BIN)/python manage.py restore '$(FILE)' $(if $(YES),--yes)

demo: migrate
	$(BIN)/python manage.py load_demo

# The worker (emails, scheduled jobs) runs beside the server and stops with it.
run: migrate
	$(BIN)/python manage.py load_demo --if-empty
	$(BIN)/python manage.py ensure_admin --host '$(HOST)' --port '$(PORT)'
	$(BIN)/python manage.py worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker' EXIT; \
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

test: lint
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Style, the layers of docs/architecture.md (import-linter, pyproject.toml), and types (mypy with
# the Django and DRF plugins, [tool.mypy] in pyproject.toml; tests/ is not type-checked).
PACKAGES := config kernel catalogue adopters networks alerts portal

lint: dev-install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy $(PACKAGES)

format: dev-install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# The search benchmark (docs/performance.md): builds bench_10000 and bench_100000 databases once.
bench: dev-install
	$(BIN)/python -m pip install --quiet -e '.[bench]'
	$(BIN)/python bench/run.py $(BENCH_ARGS)

# The load test (docs/performance.md, "Load"): gunicorn on the 100,000-innovation catalogue,
# 50 locust visitors for 2 minutes.
loadtest: dev-install
	$(BIN)/python -m pip install --quiet -e '.[bench]'
	$(BIN)/python bench/loadtest.py $(LOAD_ARGS)

# Known vulnerabilities in the installed dependencies (docs/operations.md, "Supply chain").
# --strict fails when a package cannot be checked, so a silent network failure is not a pass.
audit: dev-install
	$(BIN)/python -m pip install --quiet 'pip-audit>=2.7,<3'
	$(BIN)/pip-audit --strict --progress-spinner off

# Rebuilds the vendored GOV.UK Frontend (static/vendor/README.md) from the pinned npm packages
# in frontend/: its styles without GOV.UK's font or crest, and its scripts without a source map.
GOVUK_FRONTEND := static/vendor/govuk-frontend-6.6.0
frontend:
	cd frontend && npm ci --no-audit --no-fund
	cd frontend && npx sass --no-source-map --style=compressed --load-path=node_modules \
		govuk.scss ../$(GOVUK_FRONTEND)/govuk-frontend.min.css
	sed 's|//# sourceMappingURL=.*$$||' frontend/node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js \
		> $(GOVUK_FRONTEND)/govuk-frontend.min.js
