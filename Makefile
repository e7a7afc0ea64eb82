# Two commands do all the set-up on a fresh machine:
#   make demo   create .venv with the library alone, then validate, score and report the
#               bundled example network into gto-demo-report/ (open report.html there)
#   make test   create .venv with the development tools, then ruff, import contracts, mypy
#               (strict on src/) and every test
# For daily work, `make check` is the fast lane: the same checks and the tests not marked slow.
# `make notebooks` opens the evaluator notebooks in JupyterLab.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
OUT ?= gto-demo-report

# One stamp per kind of install: the runtime (the library and what it needs, for the demo),
# the development tools (tests, linters, docs, every engine) and Jupyter. The development
# install includes the runtime, so it marks both.
RUNTIME := $(VENV)/.installed-runtime
DEV := $(VENV)/.installed-dev
NOTEBOOKS := $(VENV)/.installed-notebooks

.PHONY: demo test check lint typecheck docs notebooks bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(RUNTIME): pyproject.toml | $(BIN)/python
	@echo "Installing getting_to_outcomes and its runtime dependencies into $(VENV) (about a minute)..."
	$(BIN)/python -m pip install -e .
	touch $@

$(DEV): pyproject.toml | $(BIN)/python
	@echo "Installing getting_to_outcomes with its development tools into $(VENV) (a few minutes)..."
	$(BIN)/python -m pip install -e '.[dev]'
	touch $@ $(RUNTIME)

$(NOTEBOOKS): pyproject.toml | $(BIN)/python
	@echo "Installing getting_to_outcomes with JupyterLab into $(VENV)..."
	$(BIN)/python -m pip install -e '.[notebooks]'
	touch $@ $(RUNTIME)

demo: $(RUNTIME)
	$(BIN)/gto demo --out $(OUT)

notebooks: $(NOTEBOOKS)
	$(BIN)/jupyter lab notebooks/

lint: $(DEV)
	$(BIN)/ruff check $(wildcard src tests examples benchmarks docs)
	$(BIN)/lint-imports

typecheck: $(DEV)
	$(BIN)/mypy

test: lint typecheck
	$(BIN)/python -m pytest src tests

check: lint typecheck
	$(BIN)/python -m pytest -n auto -m "not slow" src tests

docs: $(DEV)
	$(BIN)/mkdocs build --strict

bench: $(DEV)
	for bench in benchmarks/bench_*.py; do $(BIN)/python $$bench || exit 1; done

clean:
	rm -rf $(VENV) site build dist $(OUT)
