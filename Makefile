# WBL Goals. `make run` brings up the demo district; `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test lint format migrate demo install dev-install browser-deps clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstall when pyproject.toml changes; the stamp files make repeated runs fast.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.dev-installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(VENV)/.installed $@

install: $(VENV)/.installed
dev-install: $(VENV)/.dev-installed

migrate: install
	DEBUG=true $(BIN)/python manage.py migrate --noinput

demo: migrate
	DEBUG=true $(BIN)/python manage.py load_demo

run: demo
	DEBUG=true $(BIN)/python manage.py runserver 127.0.0.1:8000

test: dev-install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: dev-install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: dev-install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) db.sqlite3 db.sqlite3-* staticfiles .pytest_cache .ruff_cache
