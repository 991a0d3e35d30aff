# The two commands a newcomer needs: `make run` and `make test`. Both set everything up.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: run test setup lint eval bench clean

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)

# Re-installs only when pyproject.toml changes.
$(VENV)/.installed: pyproject.toml | $(BIN)/activate
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test,llm]'
	touch $@

setup: $(VENV)/.installed

run: setup
	$(BIN)/helper index
	$(BIN)/python app.py

lint: setup
	$(BIN)/ruff check helper tests app.py benchmarks

test: setup lint
	$(BIN)/pytest -q
	$(BIN)/helper eval

bench: setup
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf .helper reports
