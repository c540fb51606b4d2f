PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test lint bench clean

# The web application and CLI only (fast: this is what `make demo` needs).
$(VENV)/.installed-base: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip uv
	$(BIN)/uv pip install --python $(BIN)/python --quiet -e .
	touch $@

# Plus the test, lint and benchmark tools (pytest, Playwright, PySpark, pandas).
$(VENV)/.installed-dev: $(VENV)/.installed-base
	$(BIN)/uv pip install --python $(BIN)/python --quiet -e '.[dev]'
	touch $@

demo: $(VENV)/.installed-base
	$(BIN)/opora demo

test: $(VENV)/.installed-dev
	$(BIN)/python -m pytest -q -n 2 -p no:cacheprovider

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

bench: $(VENV)/.installed-dev
	$(BIN)/python benchmarks/import_results.py
	$(BIN)/python benchmarks/identify.py
	$(BIN)/python benchmarks/pages.py

clean:
	rm -rf $(VENV) var
