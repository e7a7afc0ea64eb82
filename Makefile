# Two commands do all the set-up on a fresh machine:
#   make demo   create .venv, then validate, score and report the bundled example network
#   make test   create .venv, then ruff, mypy (strict on src/) and the test suite
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
OUT ?= gto-demo-report

.PHONY: demo test lint typecheck docs bench clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

demo: $(BIN)/.installed
	$(BIN)/gto demo --out $(OUT)

lint: $(BIN)/.installed
	$(BIN)/ruff check $(wildcard src tests examples benchmarks docs)

typecheck: $(BIN)/.installed
	$(BIN)/mypy

test: lint typecheck
	$(BIN)/python -m pytest src tests

docs: $(BIN)/.installed
	$(BIN)/mkdocs build --strict

bench: $(BIN)/.installed
	for bench in benchmarks/bench_*.py; do $(BIN)/python $$bench || exit 1; done

clean:
	rm -rf $(VENV) site build dist $(OUT)
