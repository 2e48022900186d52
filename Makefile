# The two commands of the README: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test lint install bench bench-quality

$(BIN)/watcher: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(BIN)/watcher

install: $(BIN)/watcher

run: install
	$(BIN)/watcher run --config sources.toml

lint: install
	$(BIN)/ruff check watcher tests $(wildcard benchmarks)
	$(BIN)/mypy

test: lint
	$(BIN)/pytest

# The fetch benchmark (benchmarks/farm): watcher vs urlwatch vs a bare httpx loop on a local
# nginx page farm; installs nginx-light (apt) and urlwatch (own venv) when missing.
bench: install
	$(BIN)/python -m benchmarks.farm.run $(BENCH_ARGS)

# The alert-quality replay (benchmarks/quality): evolving local sites, `watcher check` per step,
# recall / precision / duplicates / false alerts by category against SPEC ground truth.
bench-quality: install
	$(BIN)/python -m benchmarks.quality.run $(BENCH_ARGS)
