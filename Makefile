# Two commands do everything: `make run` and `make test`. Re-running either is safe.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint setup migrate seed demo check bench clean

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.txt -r requirements-dev.txt
	touch $(STAMP)

setup: $(STAMP)

migrate: setup
	$(BIN)/python manage.py migrate --noinput

seed: migrate
	$(BIN)/python manage.py load_seed_plans

demo: seed
	$(BIN)/python manage.py load_demo_data
	$(BIN)/python manage.py load_demo_assessment

# The background worker re-evaluates plans after plan-wide changes (a target, a baseline, a period opened or closed);
# it runs beside the server and stops with it.
run: demo
	DEBUG=1 EVALUATION_BACKGROUND=1 $(BIN)/python manage.py db_worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	DEBUG=1 EVALUATION_BACKGROUND=1 $(BIN)/python manage.py runserver 127.0.0.1:8000

# The gate first: lint, format and types (configured in pyproject.toml), then migrations committed, then the suite.
test: lint
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/python -m pytest

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy .

bench: migrate
	$(BIN)/python manage.py bench --preset district --json test-artifacts/bench-district.json

check: setup
	$(BIN)/python manage.py check

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles test-artifacts
