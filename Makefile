# Drumbeat: `make demo` runs the main job, `make test` the whole test suite.
# Both create the virtual environment themselves from the lock file (uv.lock).

PYTHON ?= python3
UV_VERSION := 0.13.8
UV := .uv/bin/uv
VENV := .venv
BIN := $(VENV)/bin
# The demo's sample: examples/okrs.yaml with its readings run on to today by the
# generator (the same readings up to the sample's end), so that it is fresh on the
# day it runs; and its data warehouse, made afresh, that its `sql` sources name.
DEMO := var/demo

export UV_PYTHON := $(PYTHON)
export UV_PYTHON_DOWNLOADS := never

.PHONY: install demo test lint typecheck unit unit-postgres docs screenshots bench sample clean

$(UV):
	$(PYTHON) -m venv .uv
	.uv/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

$(VENV)/.synced: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --quiet
	touch $@

install: $(VENV)/.synced

WAREHOUSE := $(DEMO)/warehouse.sqlite3
# The demo's port: `make demo PORT=8080`.
PORT ?= 8000
demo: export DRUMBEAT_SOURCE_WAREHOUSE_URL = sqlite:///$(abspath $(WAREHOUSE))
# The reminders and digests the worker sends are written as files, not sent.
demo: export DRUMBEAT_EMAIL_FILE_PATH = $(abspath $(DEMO))/mail

# What was loaded, in one line: the first thing `make demo` says.
define DEMO_LOADED
import sys
from pathlib import Path
from drumbeat.workspace import load_workspace
sample = load_workspace(Path(sys.argv[1]))
readings = [r for kpi in sample.kpis for r in kpi.readings]
last = max(str(reading.at)[:10] for reading in readings)
print(
    f"Loaded the sample, {sample.organisation}: {len(sample.kpis)} KPIs, "
    f"{len(readings)} readings up to {last}, "
    f"{len(sample.cycles)} cycles, {len(sample.objectives)} objectives, "
    f"{sum(len(o.key_results) for o in sample.objectives)} key results"
)
endef
export DEMO_LOADED

# Quiet until the server starts, but for what a person needs: what was loaded,
# where and as whom to sign in, the sample's lint. The worker runs in the
# background and stops with the server; Ctrl-C stops both and ends quietly (exit
# 0, not make's "Error 130"). The server is the production one, `drumbeat serve`,
# with its static files collected first.
demo: install
	@mkdir -p $(DEMO)
	@$(BIN)/python examples/generate.py --until today --output $(DEMO)/okrs.yaml --warehouse $(DEMO)/warehouse.sql > /dev/null
	@$(BIN)/drumbeat manage migrate --no-input -v 0
	@rm -f $(WAREHOUSE)
	@$(BIN)/python -c 'import sqlite3, sys; db = sqlite3.connect(sys.argv[1]); db.executescript(open(sys.argv[2]).read()); db.close()' $(WAREHOUSE) $(DEMO)/warehouse.sql
	@$(BIN)/drumbeat apply $(DEMO)/okrs.yaml > /dev/null
	@$(BIN)/drumbeat manage collectstatic --no-input -v 0
	@$(BIN)/python -c "$$DEMO_LOADED" $(DEMO)/okrs.yaml
	@echo "Sign in at http://127.0.0.1:$(PORT) as one of these (new passwords on every start):"
	@$(BIN)/drumbeat manage demo_users | tail -n +2
	@echo "The sample's lint: $$($(BIN)/drumbeat lint $(DEMO)/okrs.yaml | tail -n 1) (drumbeat lint $(DEMO)/okrs.yaml for the list)"
	@echo "E-mail (reminders, digests) is written to $(abspath $(DEMO))/mail/, one file a message"
	@echo "The server and its worker are starting; Ctrl-C stops both"
	@$(BIN)/drumbeat worker --no-startup-delay -v 0 & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT; \
	trap 'exit 0' INT TERM; \
	$(BIN)/drumbeat serve --bind 127.0.0.1:$(PORT) --workers 1

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

typecheck: install
	$(BIN)/mypy

# On every core (pytest-xdist: each worker has its own test database; an idle
# worker takes tests queued for the other, so the long browser tours do not leave
# one core waiting at the end).
unit: install
	$(BIN)/pytest -n auto --dist worksteal

# The database tests again on PostgreSQL (pytest-django makes test_drumbeat): the
# apps' tests; the core, the workspace format and the file-only CLI use no database,
# and the browser tests check pages, which the database does not change.
POSTGRES_URL ?= postgres://postgres@127.0.0.1:5432/drumbeat
DATABASE_TESTS := tests/accounts tests/kpis tests/okrs tests/imports tests/exports \
	tests/webhooks tests/scorecard tests/worker tests/audit tests/server tests/backups \
	tests/reports tests/notifications tests/review
# What reads files or settings only, or checks who may see a page, the same on
# either database.
NO_DATABASE_DIFFERENCE := --ignore=tests/server/test_deploy.py \
	--ignore=tests/imports/test_workbooks.py --ignore=tests/imports/test_readers.py \
	--ignore=tests/server/test_security.py --ignore=tests/accounts/test_people.py \
	--ignore=tests/accounts/test_sign_in.py --ignore=tests/accounts/test_sso.py \
	--ignore=tests/accounts/test_tokens_page.py --ignore=tests/server/test_api_schema.py \
	--ignore=tests/webhooks/test_webhook_addresses.py \
	--ignore=tests/webhooks/test_webhooks_pages.py \
	--ignore=tests/kpis/sources/test_sources_pages.py --ignore=tests/review/test_views.py \
	--ignore=tests/scorecard/test_close_pages.py --ignore=tests/accounts/test_my_settings.py \
	--ignore=tests/accounts/test_password_reset.py \
	--ignore=tests/kpis/test_parmenter_pages.py --ignore=tests/kpis/test_north_star_many.py \
	--ignore=tests/okrs/test_year_board.py --ignore=tests/okrs/test_strategy_map.py \
	--ignore=tests/review/test_review_cadence.py --ignore=tests/review/test_assessment.py \
	--ignore=tests/okrs/test_cycle_plan.py --ignore=tests/okrs/test_board_page.py \
	--ignore=tests/scorecard/test_kpi_page.py --ignore=tests/scorecard/test_kpi_process_page.py \
	--deselect=tests/imports/test_imports_readings.py::test_a_200000_row_csv_streams_with_bounded_memory
unit-postgres: install
	DATABASE_URL=$(POSTGRES_URL) DRUMBEAT_CONN_MAX_AGE=0 $(BIN)/pytest -n auto --dist worksteal -m "not browser" $(NO_DATABASE_DIFFERENCE) $(DATABASE_TESTS)

# The documentation (docs/, mkdocs.yml) into var/site; strict: a broken link or
# anchor fails the build (not with --quiet, which hides the warnings it counts).
docs: install
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --site-dir var/site

test: lint typecheck docs unit

# Refresh the screenshots of the README and docs/ from the browser tests.
screenshots: install
	DRUMBEAT_SCREENSHOTS=docs/screenshots $(BIN)/pytest -m browser tests/

bench: install
	$(BIN)/python benchmarks/core_bench.py

sample: install
	$(BIN)/python examples/generate.py

clean:
	rm -rf $(VENV) .uv .mypy_cache .ruff_cache .pytest_cache .hypothesis
