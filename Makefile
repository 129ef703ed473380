# Two commands on a fresh machine with Python 3.11+:
#   make run    set everything up and start the server with the demo company
#   make test   set everything up and run the whole test suite (SQLite)
# and for CI and PostgreSQL users:
#   make test-postgres   the same suite against a throwaway local PostgreSQL

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000
FLASK  := $(BIN)/flask --app wsgi

.PHONY: run test test-postgres lint bench setup

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $@

setup: $(VENV)/.installed
	$(FLASK) secrets init
	$(FLASK) db upgrade

run: setup
	$(FLASK) demo load
	@echo ""
	@echo "  巡检通 Xunjian is starting on http://$(HOST):$(PORT)/"
	@echo "  API docs: http://$(HOST):$(PORT)/api/docs"
	@echo ""
	XUNJIAN_BIND=$(HOST):$(PORT) $(BIN)/gunicorn -c gunicorn.conf.py wsgi:app

test: $(VENV)/.installed
	scripts/ensure-browser.sh
	$(BIN)/python -m pytest

test-postgres: $(VENV)/.installed
	scripts/ensure-browser.sh
	scripts/with-postgres.sh $(BIN)/python -m pytest

# Every benchmark, on SQLite and on a throwaway PostgreSQL, into one table (bench/RESULTS.md).
bench: $(VENV)/.installed
	scripts/with-postgres.sh $(BIN)/python bench/run_all.py --out bench/RESULTS.md

# The company-scale simulation (issue 19): 1/64 and 1/16 of 100,000 staff over 3,000 sites with
# a year of history, generated on a throwaway PostgreSQL and measured (bench/SCALE.md).
# Bigger: make bench-scale SCALE_SIZES=1/64,1/16,1/4,1
SCALE_SIZES ?= 1/64,1/16
.PHONY: bench-scale
bench-scale: $(VENV)/.installed
	scripts/with-postgres.sh $(BIN)/python bench/scale.py --sizes $(SCALE_SIZES) --out bench/SCALE.md

lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
