# Two entry points for a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint typecheck schema bench soak system-packages clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/stripe-gateway serve

# Debian packages the tests drive: Chromium for the browser tests, and a
# PostgreSQL server the tenant store's tests start for themselves.
system-packages:
	@if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null \
		|| ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then \
		apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
			chromium chromium-driver postgresql >/dev/null; \
	fi

lint: $(STAMP)
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .

typecheck: $(STAMP)
	$(BIN)/mypy

test: $(STAMP) system-packages lint typecheck
	$(BIN)/pytest -q

# wrk drives the overhead measurement of the benchmark.
bench: $(STAMP)
	@command -v wrk >/dev/null || { apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
	$(BIN)/python -m bench

# A minute of concurrent clients through the gateway while the sandbox fails
# 5% of Stripe calls; exits non-zero on a 5xx, a lost or duplicated write, or
# growing memory.
soak: $(STAMP)
	$(BIN)/python -m bench.soak --clients 20 --seconds 60 --fault-rate 0.05

schema: $(STAMP)
	$(BIN)/python -c "from schema import schema; print(schema.as_str())" > schema.graphql

clean:
	rm -rf $(VENV) build *.egg-info
