# Qinglian 清廉企业建设开放平台
#
#   make demo    the platform with the sample city on http://127.0.0.1:8000
#   make test    every check: Django checks, migrations, ruff, mypy, the tests on SQLite
#                (browser and slow tests included) and again on PostgreSQL
#   make lint    ruff + mypy
#   make bench   every benchmarks/bench_*.py (figures for the README)
#
# The virtual environment is .venv; it is created and (re)installed when pyproject.toml changes.

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.ONESHELL:
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PG_URL ?= postgres://postgres@127.0.0.1:5432/qinglian_ci
PG_BENCH_URL ?= postgres://postgres@127.0.0.1:5432/qinglian_bench
PYTEST_ARGS ?=
LINT_PATHS := src tests $(wildcard benchmarks)

.PHONY: help demo test lint bench

help:
	@sed -n '3,8p' Makefile | sed 's/^# \{0,1\}//'

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Runtime dependencies only, for `make demo`.
$(VENV)/.installed-runtime: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -e .
	touch $@

# Runtime and development dependencies, for `make test`, `lint` and `bench`.
$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -e ".[dev]"
	touch $@ $(VENV)/.installed-runtime

demo: $(VENV)/.installed-runtime
	$(BIN)/qinglian demo

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check $(LINT_PATHS)
	$(BIN)/mypy

test: $(VENV)/.installed-dev
	# A throw-away data directory: keys and uploads of the test run never touch ./var.
	export QINGLIAN_HOME="$$(mktemp -d -t qinglian-test.XXXXXX)"
	trap 'rm -rf "$$QINGLIAN_HOME"' EXIT
	started=$$(date +%s)
	step() {
		local title="$$1" began=$$(date +%s); shift
		printf '\n==> %s\n' "$$title"
		"$$@"
		printf '    %s：%d 秒\n' "$$title" "$$(( $$(date +%s) - began ))"
	}
	step "Django 系统检查" env -u DATABASE_URL $(BIN)/qinglian check --fail-level WARNING
	step "生产配置检查（check --deploy）" env -u DATABASE_URL QINGLIAN_ENV=production \
		$(BIN)/qinglian check --deploy --fail-level WARNING
	step "迁移文件与模型一致" env -u DATABASE_URL $(BIN)/qinglian makemigrations --check --dry-run
	step "ruff" $(BIN)/ruff check $(LINT_PATHS)
	step "mypy" $(BIN)/mypy
	step "pytest（SQLite，全部测试）" env -u DATABASE_URL $(BIN)/pytest -q $(PYTEST_ARGS)
	step "pytest（PostgreSQL）" env DATABASE_URL=$(PG_URL) \
		$(BIN)/pytest -q -m "not browser and not slow and not spark" --create-db $(PYTEST_ARGS)
	printf '\n全部检查通过，共 %d 秒。\n' "$$(( $$(date +%s) - started ))"

bench: $(VENV)/.installed-dev
	for script in benchmarks/bench_*.py; do
		printf '\n==> %s\n' "$$script"
		$(BIN)/python "$$script"
	done
	printf '\n==> benchmarks/bench_results.py（PostgreSQL）\n'
	$(BIN)/python benchmarks/bench_results.py --database-url $(PG_BENCH_URL)
