# Two commands: `make run` starts the registry, `make test` runs every test (after `make lint`).
# Both build the virtualenv they need from the compiled requirements files first.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PIP := $(BIN)/pip install --quiet --disable-pip-version-check
# Parallel test processes; each gets its own database and Redis prefix.
TEST_WORKERS ?= 2

.PHONY: run test test-fast migrate lint lock clean

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)

# The project itself goes in without dependencies (they come pinned from the requirements
# files) and editable, so the `registry` console script runs this checkout.
$(VENV)/.runtime-installed: requirements.txt pyproject.toml | $(BIN)/activate
	@echo "installing runtime dependencies into $(VENV) (first run only)..."
	$(PIP) -r requirements.txt
	$(PIP) --no-deps --no-build-isolation -e .
	touch $@

$(VENV)/.test-installed: requirements.txt requirements-test.txt pyproject.toml | $(BIN)/activate
	@echo "installing test dependencies into $(VENV) (first run only)..."
	$(PIP) -r requirements-test.txt
	$(PIP) --no-deps --no-build-isolation -e .
	touch $@ $(VENV)/.runtime-installed

run: $(VENV)/.runtime-installed
	$(BIN)/gunicorn -c gunicorn.conf.py wsgi:app

migrate: $(VENV)/.runtime-installed
	$(BIN)/python -m registry migrate

# The quality gate, also run by pre-commit (.pre-commit-config.yaml).
lint: $(VENV)/.test-installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

test: lint
	$(BIN)/pytest -n $(TEST_WORKERS)

# Everything but the tests marked slow or browser.
test-fast: lint
	$(BIN)/pytest -n $(TEST_WORKERS) -m "not slow and not browser"

# Recompile the pinned requirements files from pyproject.toml (keeps current pins unless
# UPGRADE=--upgrade). The test and bench files are constrained by the runtime pins.
UV_COMPILE = $(BIN)/uv pip compile --quiet --python-version 3.11 $(UPGRADE) pyproject.toml
lock: $(VENV)/.test-installed
	$(UV_COMPILE) -o requirements.txt
	$(UV_COMPILE) --extra test -c requirements.txt -o requirements-test.txt
	$(UV_COMPILE) --extra bench -c requirements.txt -o requirements-bench.txt

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache

# Benchmarks and load tests (README: "Benchmarks and load tests"). Need PostgreSQL and
# Redis on 127.0.0.1 (or BENCH_DATABASE_URL / BENCH_REDIS_URL) and wrk, installed here.
.PHONY: bench bench-short bench-soak bench-load bench-wrk

$(VENV)/.bench-installed: requirements.txt requirements-bench.txt | $(BIN)/activate
	$(PIP) -r requirements-bench.txt
	$(PIP) --no-deps --no-build-isolation -e .
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
