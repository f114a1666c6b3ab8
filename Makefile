# relaydesk: `make run` starts the product, `make test` runs the tests.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Ports of `make run`: for example `make run PORT=8001 SMTP_PORT=2526`.
PORT = 8000
SMTP_PORT = 2525

.PHONY: run test lint bench messages clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(STAMP)

# Compiled catalogues (*.mo) are build output, made here from the .po files.
messages: $(STAMP)
	if [ -d src/relaydesk/locale ]; then $(BIN)/relaydesk compilemessages >/dev/null; fi

run: $(STAMP) messages
	$(BIN)/relaydesk migrate --no-input
	$(BIN)/relaydesk load-demo
	$(BIN)/relaydesk collectstatic --no-input >/dev/null
	$(BIN)/relaydesk run-all --port $(PORT) --smtp-port $(SMTP_PORT)

test: $(STAMP) messages
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/pytest -rs

lint: $(STAMP)
	$(BIN)/ruff check --fix src tests bench
	$(BIN)/ruff format src tests bench

bench: $(STAMP) messages
	$(BIN)/python bench/run.py $(BENCH_ARGS)
	$(BIN)/python bench/sla_bench.py --database postgres $(SLA_BENCH_ARGS)
	$(BIN)/python bench/sla_bench.py --database sqlite $(SLA_BENCH_ARGS)

clean:
	rm -rf $(VENV) var bench/out
