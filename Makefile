# Two commands matter: `make run` (the whole app on embedded defaults) and `make test`.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000
PG_BIN := $(firstword $(wildcard /usr/lib/postgresql/*/bin))
# Links in texts and emails: fixed here once, because honcho gives each process of the Procfile its own
# PORT (web PORT, worker PORT+100, ...) and a worker would otherwise derive the wrong address from it.
PUBLIC_BASE_URL ?= http://$(HOST):$(PORT)
# Every command below (migrate, seed_demo, web, worker) sees them.
export HOST PORT PUBLIC_BASE_URL

.PHONY: install run test test-deps lint bench docker-config clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.installed: requirements.lock | $(BIN)/python
	$(BIN)/pip install -q -r requirements.lock
	touch $@

install: $(VENV)/.installed

## make run: SQLite, a filesystem Celery broker, SMS printed to the console, demo data.
run: install
	@mkdir -p $${VAR_DIR:-var}/celery/queue $${VAR_DIR:-var}/celery/processed $${VAR_DIR:-var}/celery/control
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo --if-empty
	@echo ""
	@echo "  Med spa front desk: http://$(HOST):$(PORT)/   (Ctrl-C stops web, worker and beat)"
	@$(BIN)/python manage.py seed_demo --print-logins
	@echo ""
	@# Beat's first interval only ends in 5 minutes: queue one sweep now so the demo's worker has work.
	@$(BIN)/celery -A medspa call recall.tasks.sweep >/dev/null
	@$(BIN)/celery -A medspa call recall.tasks.member_touchpoints >/dev/null
	HOST=$(HOST) PORT=$(PORT) PUBLIC_BASE_URL=$(PUBLIC_BASE_URL) PATH=$(CURDIR)/$(BIN):$$PATH $(BIN)/honcho start --no-prefix -f Procfile

## make test: real PostgreSQL and Redis (throwaway servers on loopback) and Debian's Chromium.
test-deps:
	@if [ -z "$(PG_BIN)" ] || ! command -v redis-server >/dev/null || [ ! -x /usr/bin/chromium ]; then \
		echo "Installing PostgreSQL, Redis and Chromium from Debian's packages..."; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql redis-server chromium >/dev/null; \
	fi

test: install test-deps
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/python -m pytest -n 2 $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .

bench: install test-deps
	$(BIN)/python -m bench $(BENCH_ARGS)

docker-config:
	docker compose config --quiet

clean:
	rm -rf var test-artifacts
