# fukugan: two commands do all set-up on a fresh machine: `make run` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test test-fast bench lint clean browser-deps db-deps

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $(STAMP)

## make run: install, load the bundled real data (once), start the web app and API, print the URL
## (http://127.0.0.1:8000 by default; `make run PORT=8080` for another port)
run: $(STAMP)
	$(BIN)/fukugan data load --if-needed
	$(BIN)/fukugan serve --host $(HOST) --port $(PORT)

## make test: the whole suite (lint, doctests, unit, property and end-to-end tests, browser tests
## in Debian's chromium, workspace tests on SQLite and PostgreSQL; both installed once when missing),
## on two worker processes (the machine's cores), one test module per worker at a time: the modules
## that share a served app, a browser or a database keep them to themselves
test: $(STAMP) browser-deps db-deps
	$(BIN)/ruff check .
	$(BIN)/python -m pytest --doctest-modules src/fukugan tests -n 2 --dist loadfile

## make test-fast: the inner loop (under a minute): lint, doctests and every test not marked slow,
## e2e (browser, served app, schemathesis) or postgres, with fewer hypothesis examples; byte code
## (and pytest's rewritten test modules) is cached between runs even where the environment
## sets PYTHONDONTWRITEBYTECODE: compiling every module again costs ~9 s a run
test-fast: $(STAMP)
	$(BIN)/ruff check .
	env -u PYTHONDONTWRITEBYTECODE $(BIN)/python -m pytest --doctest-modules src/fukugan tests -m "not slow and not e2e and not postgres" --hypothesis-profile=fast -p no:cacheprovider -n 2 --dist loadfile

## make bench: benchmarks, written to BENCHMARKS.md
bench: $(STAMP)
	$(BIN)/python -m benchmarks.run

## Debian's chromium and a CJK font for the browser tests (idempotent; quiet when present)
browser-deps:
	@bash scripts/install-browser-deps.sh

## Debian's PostgreSQL server binaries for the workspace tests (idempotent; quiet when present)
db-deps:
	@bash scripts/install-postgres.sh

lint: $(STAMP)
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) build *.egg-info src/*.egg-info
