# The two commands a new user runs: `make demo` and `make test`. Each creates .venv on first use.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: demo test lint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

# Stamps re-run the install whenever pyproject.toml changes.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $@ $(VENV)/.installed

demo: $(VENV)/.installed
	$(BIN)/vigil demo

# Two workers (one per core here) for everything that can share the machine, then what must run alone.
test: $(VENV)/.installed-test
	$(BIN)/python -m pytest -n 2 --dist loadfile -m "not serial"
	$(BIN)/python -m pytest -m serial

lint: $(VENV)/.installed-test
	$(BIN)/ruff check service tests migrations

bench: $(VENV)/.installed-test
	$(BIN)/python -m pip install -q -e '.[test,bench]'
	$(BIN)/python -m tests.bench.store_bench
	$(BIN)/python -m tests.bench.replay_bench
	$(BIN)/python -m tests.bench.extract_bench
	$(BIN)/python -m tests.bench.poll_bench
	$(BIN)/python -m tests.bench.pipeline_bench
	$(BIN)/python -m tests.bench.feed_pipeline_bench
	$(BIN)/python -m tests.bench.factuality_bench

clean:
	rm -rf $(VENV) .pytest_cache demo.db demo.db-wal demo.db-shm
