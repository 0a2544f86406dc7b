# The performance team's entry points. `make run` and `make test` work on a fresh machine:
# they create the virtual environment and install the project first.

SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed

# One absolute database path for Dagster, dbt and the checks (dbt runs inside dbt_project/).
export BOARDPACK_DB ?= $(CURDIR)/data/warehouse.duckdb
export BOARDPACK_EXTRACTS ?= $(CURDIR)/data/extracts
export BOARDPACK_OUTPUT ?= $(CURDIR)/data/output
export BOARDPACK_RESTRICTED ?= $(CURDIR)/data/restricted
export DBT_PROFILES_DIR := $(CURDIR)/dbt_project
# Dagster's run history for `make run` and `make ui` (tests use throwaway instances).
DAGSTER_HOME ?= $(CURDIR)/data/dagster_home
DEMO_MONTH := 2014-08
UI_PORT ?= 3000

.PHONY: install run demo-data manifest test lint format ui bench clean validators returns

# The DfE's rule engines pin pandas<2 and numpy<1.25: their own virtualenv, exact versions from
# returns/validators.txt, installed here and never at run time (pipelines/returns/validation.py).
VALIDATORS_VENV := .venv-validators
VALIDATORS := $(VALIDATORS_VENV)/.installed
RETURNS_YEAR ?= 2024-25

$(INSTALLED): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip uv
	# Bytecode compiled once here: with PYTHONDONTWRITEBYTECODE set (as on CI machines) every
	# run would otherwise compile Dagster, dbt and the rest from source, about 5 s per process.
	$(BIN)/uv pip install --quiet --compile-bytecode --python $(BIN)/python -e '.[dev]'
	@touch $@

install: $(INSTALLED) $(VALIDATORS)

$(VALIDATORS): returns/validators.txt $(INSTALLED)
	@test -x $(VALIDATORS_VENV)/bin/python || $(PYTHON) -m venv $(VALIDATORS_VENV)
	$(BIN)/uv pip install --quiet --no-deps --compile-bytecode --python $(VALIDATORS_VENV)/bin/python -r returns/validators.txt
	@touch $@

validators: $(VALIDATORS)

# dagster-dbt reads dbt_project/target/manifest.json when the code location loads.
manifest: $(INSTALLED)
	cd dbt_project && ../$(BIN)/dbt parse --quiet

demo-data: $(INSTALLED)
	@if [ ! -f "$(BOARDPACK_EXTRACTS)/ssd_person.csv" ]; then \
		$(BIN)/boardpack generate --out "$(BOARDPACK_EXTRACTS)"; \
	else echo "Using the extracts already in $(BOARDPACK_EXTRACTS)"; fi

run: manifest demo-data $(VALIDATORS)
	DAGSTER_HOME="$(DAGSTER_HOME)" $(BIN)/boardpack run --month $(DEMO_MONTH)

test: manifest $(VALIDATORS)
	$(BIN)/pytest -q

# The statutory returns for one collection year (docs/returns.md), checked by the DfE's rules.
returns: manifest $(VALIDATORS)
	DAGSTER_HOME="$(DAGSTER_HOME)" $(BIN)/boardpack returns --year $(RETURNS_YEAR)

lint: $(INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	cd dbt_project && ../$(BIN)/sqlfluff lint models macros --disable-progress-bar

format: $(INSTALLED)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .
	cd dbt_project && ../$(BIN)/sqlfluff fix models --disable-progress-bar

# The Dagster webserver and daemon (schedule, sensors, run queue) on this machine only, with run
# history kept in DAGSTER_HOME across restarts. dagster-dbt runs `dbt` from PATH under
# `dagster dev`, hence the virtualenv's bin first.
ui: manifest
	$(BIN)/python -m pipelines.operations "$(DAGSTER_HOME)"
	DAGSTER_HOME="$(DAGSTER_HOME)" PATH="$(CURDIR)/$(BIN):$$PATH" \
		$(BIN)/dagster dev -h 127.0.0.1 -p $(UI_PORT) -w workspace.yaml

# Each stage's wall time, CPU and peak memory at three scales, against the DuckDB floor.
bench: manifest
	$(BIN)/python -m pipelines.bench

clean:
	rm -rf data dbt_project/target $(VALIDATORS_VENV)
