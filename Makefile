# The two commands a newcomer needs: `make run` and `make test`. Both set everything up:
# `make run` installs only what the page needs; `make test` adds the test tools and the
# llama.cpp server the model-engine tests run against (compiled once, about 6 minutes).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: run test setup setup-test lint eval bench clean

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Each re-installs only when pyproject.toml changes.
$(VENV)/.installed: pyproject.toml | $(BIN)/activate
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/activate
	$(BIN)/pip install --quiet -e '.[test,llm]'
	touch $(VENV)/.installed $@

# axe-core from the npm registry, for the accessibility check of the browser tests.
AXE := $(VENV)/axe/node_modules/axe-core/axe.min.js
$(AXE): | $(BIN)/activate
	npm install --silent --no-save --no-package-lock --prefix $(VENV)/axe axe-core@4.10.3

setup: $(VENV)/.installed

setup-test: $(VENV)/.installed-test $(AXE)

run: setup
	$(BIN)/helper index
	$(BIN)/python app.py

lint: setup-test
	$(BIN)/ruff check helper tests app.py benchmarks evals
	$(BIN)/ruff format --check helper tests app.py benchmarks evals

test: setup-test lint
	$(BIN)/pytest -q
	$(BIN)/helper eval

bench: setup-test
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf .helper reports
