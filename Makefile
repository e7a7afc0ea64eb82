# Two commands do all the set-up on a fresh machine:
#   make demo   create .venv, then validate, score and report the bundled example network
#   make test   create .venv, then ruff, import contracts, mypy (strict on src/) and every test
# For daily work, `make check` is the fast lane: the same checks and the tests not marked slow.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
OUT ?= gto-demo-report

.PHONY: demo test check lint typecheck docs bench clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

demo: $(BIN)/.installed
	$(BIN)/gto demo --out $(OUT)

lint: $(BIN)/.installed
	$(BIN)/ruff check $(wildcard src tests examples benchmarks docs)
	$(BIN)/lint-imports

typecheck: $(BIN)/.installed
	$(BIN)/mypy

test: lint typecheck
	$(BIN)/python -m pytest src tests

check: lint typecheck
	$(BIN)/python -m pytest -n auto -m "not slow" src tests

docs: $(BIN)/.installed
	$(BIN)/mkdocs build --strict

bench: $(BIN)/.installed
	for bench in benchmarks/bench_*.py; do $(BIN)/python $$bench || exit 1; done

clean:
	rm -rf $(VENV) site build dist $(OUT)
