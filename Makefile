# Two commands: `make run` starts the registry, `make test` runs every test.
# Both build the virtualenv they need from the requirements files first.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test migrate lint clean

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.runtime-installed: requirements.txt | $(BIN)/activate
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

$(VENV)/.test-installed: requirements.txt requirements-test.txt | $(BIN)/activate
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-test.txt
	touch $@ $(VENV)/.runtime-installed

run: $(VENV)/.runtime-installed
	$(BIN)/gunicorn -c gunicorn.conf.py wsgi:app

migrate: $(VENV)/.runtime-installed
	$(BIN)/python -m registry migrate

lint: $(VENV)/.test-installed
	$(BIN)/ruff check .

test: $(VENV)/.test-installed
	$(BIN)/ruff check .
	$(BIN)/pytest

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache

# Benchmarks and load tests (README: "Benchmarks and load tests"). Need PostgreSQL and
# Redis on 127.0.0.1 (or BENCH_DATABASE_URL / BENCH_REDIS_URL) and wrk, installed here.
.PHONY: bench bench-short bench-soak bench-load bench-wrk

$(VENV)/.bench-installed: requirements.txt requirements-bench.txt | $(BIN)/activate
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-bench.txt
	touch $@ $(VENV)/.runtime-installed

bench-wrk:
	@command -v wrk >/dev/null 2>&1 || { \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y wrk \
		|| { $$SUDO apt-get update && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y wrk; }; }

bench: $(VENV)/.bench-installed bench-wrk
	$(BIN)/python bench/run.py $(BENCH_ARGS)

bench-short: $(VENV)/.bench-installed bench-wrk
	$(BIN)/python bench/run.py --short $(BENCH_ARGS)

bench-soak: $(VENV)/.bench-installed
	$(BIN)/python bench/soak.py $(SOAK_ARGS)

# A k6 script on a fresh registry per run, e.g.
# make bench-load LOAD_ARGS="tests/load/basic_load.js --sweep VUS=50,75,100 -e DURATION=60s -e STAGE_SECONDS=10"
bench-load: $(VENV)/.bench-installed
	$(BIN)/python bench/load.py $(LOAD_ARGS)
