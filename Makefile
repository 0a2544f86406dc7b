# The performance team's entry points. `make run` and `make test` work on a fresh machine:
# they install the Debian packages they need (as root), create the virtual environment and
# install exactly the versions in uv.lock first.

SHELL := /bin/bash
# The one place the Python version is pinned is pyproject.toml's requires-python ("==3.11.*").
PYTHON_VERSION := $(shell sed -n 's/^requires-python *= *"==\([0-9.]*\)\.\*".*/\1/p' pyproject.toml)
PYTHON ?= $(shell command -v python$(PYTHON_VERSION))
# uv installs the lock. Its own version is pinned here, and it lives in its own small venv so
# that `uv sync` can keep .venv exactly as the lock says.
UV_VERSION := 0.13.9
UV_HOME := .uv
UV := $(UV_HOME)/bin/uv
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
# uv uses this machine's Python, never a downloaded one; dbt, Dagster and the tests all run
# from .venv (uv's default project environment).
export UV_PYTHON := $(PYTHON)
export UV_PYTHON_DOWNLOADS := never
# The uv cache and .venv are often on different filesystems: copy without a warning.
export UV_LINK_MODE := copy

# One absolute database path for Dagster, dbt and the checks (dbt runs inside dbt_project/).
export BOARDPACK_DB ?= $(CURDIR)/data/warehouse.duckdb
export BOARDPACK_EXTRACTS ?= $(CURDIR)/data/extracts
export BOARDPACK_OUTPUT ?= $(CURDIR)/data/output
export BOARDPACK_RESTRICTED ?= $(CURDIR)/data/restricted
export DBT_PROFILES_DIR := $(CURDIR)/dbt_project
# Spark's folder for `make spark` (raw Parquet, warehouse, Derby metastore): docs/scaling.md.
export BOARDPACK_SPARK_DIR ?= $(CURDIR)/data/spark
# Dagster's run history for `make run` and `make ui` (tests use throwaway instances).
DAGSTER_HOME ?= $(CURDIR)/data/dagster_home
DEMO_MONTH := 2014-08
UI_PORT ?= 3000

.PHONY: install system-deps system-deps-run lock lock-check upgrade run demo-data manifest test lint \
	format ui region-ui bench clean validators returns spark

# The DfE's rule engines pin pandas<2 and numpy<1.25: their own virtualenv, exact versions from
# returns/validators.txt, installed here and never at run time (pipelines/returns/validation.py).
VALIDATORS_VENV := .venv-validators
VALIDATORS := $(VALIDATORS_VENV)/.installed
RETURNS_YEAR ?= 2024-25

# -- Debian packages --------------------------------------------------------------------------
# Each package and the check that it is there. To run the pipeline:
#   python3.11, python3.11-venv   the interpreter, and ensurepip to bootstrap uv
#   chromium                      prints the PDF pack (driven by Playwright: /usr/bin/chromium,
#                                 never a downloaded browser; pipelines/pack/pdf.py)
#   fonts-dejavu-core             the pack's typeface (pages and charts)
# And for the tests (and the Spark work):
#   poppler-utils                 pdftotext / pdftoppm read the PDF pack back
#   openjdk-17-jre-headless       Java for Spark in local mode
RUN_DEBS := python$(PYTHON_VERSION) python$(PYTHON_VERSION)-venv chromium fonts-dejavu-core
TEST_DEBS := poppler-utils openjdk-17-jre-headless
check_python$(PYTHON_VERSION) = test -n "$(PYTHON)"
check_python$(PYTHON_VERSION)-venv = test -n "$(PYTHON)" && "$(PYTHON)" -c 'import ensurepip, venv'
check_fonts-dejavu-core = test -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf
check_poppler-utils = command -v pdftotext && command -v pdftoppm
check_chromium = command -v chromium
check_openjdk-17-jre-headless = command -v java
# The packages of a list whose check fails.
missing_debs = $(strip $(foreach deb,$(1),$(if $(shell ($(check_$(deb))) >/dev/null 2>&1 && echo ok),,$(deb))))
can_apt := $(and $(filter 0,$(shell id -u)),$(shell command -v apt-get))
# Installs what is missing when running as root with apt-get; otherwise stops with one line.
define ensure_debs
	$(eval missing := $(call missing_debs,$(1)))
	$(if $(missing),$(if $(can_apt),,$(error Missing system packages: $(missing). Install them as root: apt-get update && apt-get install -y $(missing))))
	$(if $(missing),apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(missing) >/dev/null,@:)
endef

# What the tests need as well as the pipeline (CI runs this).
system-deps:
	$(call ensure_debs,$(RUN_DEBS) $(TEST_DEBS))

# What the pipeline needs to run (Chromium included: it prints the PDF; no test tools).
system-deps-run:
	$(call ensure_debs,$(RUN_DEBS))

# -- Python packages: exactly uv.lock ---------------------------------------------------------
$(UV):
	$(PYTHON) -m venv $(UV_HOME)
	$(UV_HOME)/bin/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

# `--locked` installs exactly uv.lock and fails if it no longer matches pyproject.toml (then
# run `make lock`, review the change in uv.lock, and commit both). Bytecode is compiled once
# here: with PYTHONDONTWRITEBYTECODE set (as on CI machines) every run would otherwise compile
# Dagster, dbt and the rest from source, about 5 s per process.
$(INSTALLED): pyproject.toml uv.lock $(UV)
	$(UV) sync --locked --extra dev --extra spark --compile-bytecode --quiet
	@touch $@

install: system-deps-run $(INSTALLED)

# After editing the dependencies in pyproject.toml: the smallest change to uv.lock that fits.
lock: $(UV)
	$(UV) lock

# Fails when pyproject.toml changed without uv.lock (CI runs it first).
lock-check: $(UV)
	$(UV) lock --check

# Every dependency to the newest version pyproject.toml allows, then lint and the whole suite.
# Review uv.lock's diff (uv prints each change) and commit it as one change of its own.
upgrade: $(UV)
	$(UV) lock --upgrade
	$(MAKE) lint test

# Every package pinned in returns/validators.txt (their dependencies included, --no-deps).
$(VALIDATORS): returns/validators.txt $(UV)
	@test -x $(VALIDATORS_VENV)/bin/python || $(PYTHON) -m venv $(VALIDATORS_VENV)
	$(UV) pip install --quiet --no-deps --compile-bytecode --python $(VALIDATORS_VENV)/bin/python -r returns/validators.txt
	@touch $@

validators: $(VALIDATORS)

# dagster-dbt reads dbt_project/target/manifest.json when the code location loads.
manifest: install
	$(BIN)/python -m pipelines.dbt_project

demo-data: install
	@if [ ! -f "$(BOARDPACK_EXTRACTS)/ssd_person.csv" ]; then \
		$(BIN)/boardpack generate --out "$(BOARDPACK_EXTRACTS)"; \
	else echo "Using the extracts already in $(BOARDPACK_EXTRACTS)"; fi

run: manifest demo-data
	DAGSTER_HOME="$(DAGSTER_HOME)" $(BIN)/boardpack run --month $(DEMO_MONTH)

test: system-deps manifest $(VALIDATORS)
	$(BIN)/pytest -q --durations=15

# The statutory returns for one collection year (docs/returns.md), checked by the DfE's rules.
returns: manifest $(VALIDATORS)
	DAGSTER_HOME="$(DAGSTER_HOME)" $(BIN)/boardpack returns --year $(RETURNS_YEAR)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	cd dbt_project && ../$(BIN)/sqlfluff lint models macros --disable-progress-bar

format: install
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

# A region of authorities in one Dagster (docs/region.md, "A region in Dagster"): each authority of
# BOARDPACK_REGION_DIR (default: a demo region of three, generated once) runs in its own
# warehouse under data/region, authority x month; the regional comparison follows.
REGION_DIR ?= $(CURDIR)/data/region_extracts
REGION_WORK ?= $(CURDIR)/data/region
region-ui: manifest
	test -f "$(REGION_DIR)/authorities.csv" || \
		$(BIN)/boardpack generate --authorities 3 --out "$(REGION_DIR)"
	$(BIN)/python -m pipelines.operations --region "$(REGION_WORK)/dagster_home"
	BOARDPACK_REGION_DIR="$(REGION_DIR)" BOARDPACK_REGION_WORK="$(REGION_WORK)" \
		DAGSTER_HOME="$(REGION_WORK)/dagster_home" PATH="$(CURDIR)/$(BIN):$$PATH" \
		$(BIN)/dagster dev -h 127.0.0.1 -p $(UI_PORT) -w workspace-region.yaml

# Each stage's wall time, CPU and peak memory at three scales, against the DuckDB floor.
bench: manifest
	$(BIN)/python -m pipelines.bench

# The same dbt models on Apache Spark (docs/scaling.md "dbt on Spark"): the warehouse's raw
# tables exported to Parquet, then `dbt build --target spark` (pyspark in local mode, Java 17).
# Run `make run` first: Spark reads the raw tables it loaded.
spark: install
	$(call ensure_debs,openjdk-17-jre-headless)
	$(BIN)/python -m pipelines.spark --month $(DEMO_MONTH) --spark-dir $(BOARDPACK_SPARK_DIR)

clean:
	rm -rf data dbt_project/target $(VALIDATORS_VENV)
