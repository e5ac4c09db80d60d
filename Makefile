# Every target creates the virtual environment it needs.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python

.PHONY: demo test lint venv clean bench bench-quick bench-postgresql

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	touch $@

venv: $(VENV)/.installed

demo: $(VENV)/.installed
	$(PY) -m lightalchemy demo

test: $(VENV)/.installed
	$(PY) -m ruff check --no-cache src tests examples benchmarks
	$(PY) -m pytest

bench: $(VENV)/.installed
	$(PY) benchmarks/run.py

bench-quick: $(VENV)/.installed
	$(PY) benchmarks/run.py --quick

# LIGHTALCHEMY_PG_URL names the server; without it scripts/pg-server starts one
bench-postgresql: $(VENV)/.installed
	$(PY) benchmarks/run.py --backend postgresql $(BENCH_ARGS)

lint: $(VENV)/.installed
	$(PY) -m ruff check --no-cache src tests examples benchmarks

clean:
	rm -rf $(VENV) build *.egg-info src/*.egg-info
