# Lotse: `make run` to try it, `make test` to check it.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
LOTSE := $(BIN)/lotse
HOST ?= 127.0.0.1:8000

.PHONY: run install serve demo test test-fast e2e lint typecheck messages openapi clean help bench-offers bench-occupations

help:
	@echo "make run        install, migrate, load demo data, serve on http://$(HOST)"
	@echo "make test       the whole test suite (DATABASE_URL=postgres://... for PostgreSQL)"
	@echo "make lint       ruff and mypy; make messages: update translations"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@

install: $(VENV)/.installed

demo: install
	$(LOTSE) migrate --no-input
	$(LOTSE) load_demo
	$(LOTSE) load_demo_offers
	$(LOTSE) create_demo_accounts

run: demo
	$(LOTSE) runserver $(HOST)

test: install
	$(BIN)/python -m pytest

test-fast: install
	$(BIN)/python -m pytest -m "not e2e"

e2e: install
	$(BIN)/python -m pytest -m e2e

lint: install
	$(BIN)/ruff check lotse
	$(BIN)/ruff format --check lotse
	$(BIN)/mypy lotse

messages: install
	cd lotse && ../$(LOTSE) makemessages -l de -l en --no-obsolete --ignore "*/tests/*"
	cd lotse && ../$(LOTSE) compilemessages

bench-offers: install
	$(BIN)/python -m bench.offers

bench-occupations: install
	$(BIN)/python -m bench.occupations

openapi: install
	$(LOTSE) spectacular --file docs/openapi.yaml --validate --lang en

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
