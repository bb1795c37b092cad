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
