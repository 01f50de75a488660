# WBL Goals. `make run` brings up the demo district; `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run serve test lint format migrate demo install dev-install browser-deps clean load

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

# Production mode on this machine: gunicorn (wbl/gunicorn.conf.py), DEBUG off, PostgreSQL, static
# files collected and served by whitenoise, migrations first. `make serve WORKERS=4 PORT=8001`.
# DATABASE_URL, SECRET_KEY, ALLOWED_HOSTS, SITE_URL from the environment win over the defaults
# here; without SECRET_KEY one is generated once into .venv/secret_key (untracked). Plain HTTP on
# loopback, so SECURE_SSL_REDIRECT and SECURE_COOKIES default to false here.
WORKERS ?=
PORT ?= 8000
SERVE_DATABASE_URL := postgres://postgres@127.0.0.1:5432/wbl

serve: install
	@test -n "$$SECRET_KEY" || test -s $(VENV)/secret_key || \
		(umask 077 && $(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(50))' > $(VENV)/secret_key)
	@export DEBUG=false SECURE_SSL_REDIRECT="$${SECURE_SSL_REDIRECT:-false}" \
		SECURE_COOKIES="$${SECURE_COOKIES:-false}" \
		DATABASE_URL="$${DATABASE_URL:-$(SERVE_DATABASE_URL)}" \
		ALLOWED_HOSTS="$${ALLOWED_HOSTS:-127.0.0.1,localhost}" \
		SITE_URL="$${SITE_URL:-http://127.0.0.1:$(PORT)}" \
		SECRET_KEY="$${SECRET_KEY:-$$(cat $(VENV)/secret_key)}" \
		GUNICORN_BIND="127.0.0.1:$(PORT)" $(if $(WORKERS),WEB_CONCURRENCY=$(WORKERS)) && \
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0 && \
	$(BIN)/python manage.py migrate --noinput && \
	echo "Serving http://127.0.0.1:$(PORT)/ in production mode; Ctrl-C stops it." && \
	exec $(BIN)/gunicorn -c wbl/gunicorn.conf.py

test: dev-install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Load run (a measurement, not a test) against `make serve` on the seed_scale district:
#   make serve DATABASE_URL=postgres://postgres@127.0.0.1:5432/wbl_bench   (other terminal)
#   make load DATABASE_URL=postgres://postgres@127.0.0.1:5432/wbl_bench
LOAD_USERS ?= 50
LOAD_TIME ?= 4m
# People sign in over time: one a second (the password check is slow on purpose); the figures
# are reset once all have started (--reset-stats), so they describe the steady state.
LOAD_SPAWN_RATE ?= 1
ifndef LOAD_PASSWORD
LOAD_PASSWORD := load-$(shell date +%s)
endif
$(VENV)/.load-installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[load]'
	touch $@

load: $(VENV)/.load-installed
	DEBUG=true $(BIN)/python manage.py prepare_load --password '$(LOAD_PASSWORD)'
	LOAD_PASSWORD='$(LOAD_PASSWORD)' DEBUG=true $(BIN)/locust -f tests/load/locustfile.py \
		--headless --users $(LOAD_USERS) --spawn-rate $(LOAD_SPAWN_RATE) --run-time $(LOAD_TIME) \
		--host http://127.0.0.1:$(or $(PORT),8000) --only-summary --stop-timeout 10 --reset-stats

lint: dev-install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: dev-install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) db.sqlite3 db.sqlite3-* staticfiles .pytest_cache .ruff_cache
