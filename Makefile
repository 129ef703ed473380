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

lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
