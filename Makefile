# The two front-door commands: `make run` and `make test`. Both create the virtualenv first.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test install lint bench clean

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "need $(PYTHON) on PATH"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/leadmill up

# Two pytest-xdist workers, whole files each (module-wide API fixtures stay in one worker): many
# tests wait on Prefect runs and subprocesses, so two workers overlap that waiting even on two
# cores (881 tests: 10 min 12 s against ~14 min in one process). Each worker has its own Prefect
# server, PostgreSQL cluster and temporary directories.
test: lint
	$(BIN)/pytest -n 2 --dist loadfile

# ruff, then the import contracts of pyproject.toml ([tool.importlinter]: layers, no circles,
# Prefect kept out of storage, Litestar inside api).
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/lint-imports --no-cache

bench: $(STAMP)
	$(BIN)/python bench/bench_end_to_end.py

clean:
	rm -rf $(VENV) .leadmill
