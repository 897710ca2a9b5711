# Two commands on a fresh machine: `make build` then `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
COURSE ?= courses/osee
STAMP  := $(VENV)/.installed

.PHONY: build test lint bench clean help

help:
	@echo "make build  - create $(VENV), install the builder, build $(COURSE) into dist/"
	@echo "make test   - run the test suite (installs dev tools and the test browser as needed)"
	@echo "make lint   - ruff + builder lint on $(COURSE)"
	@echo "make bench  - timing and memory benchmark (see bench/)"
	@echo "make clean  - remove dist/ and caches (keeps $(VENV))"

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

build: $(STAMP)
	$(BIN)/builder build $(COURSE) --out dist

# Browser tests drive Debian's Chromium (Playwright's own browser download is not available here).
CHROMIUM := /usr/bin/chromium
$(CHROMIUM):
	@if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null; \
	else echo "install Debian's chromium package (sudo apt-get install chromium) for the browser tests"; exit 1; fi

test: $(STAMP) $(CHROMIUM)
	$(BIN)/pytest

lint: $(STAMP)
	$(BIN)/ruff check builder tests bench
	$(BIN)/ruff format --check builder tests bench
	$(BIN)/builder lint $(COURSE)

clean:
	rm -rf dist .pytest_cache .ruff_cache .hypothesis
	find . -name __pycache__ -type d -prune -exec rm -rf {} +

bench: $(STAMP)
	$(BIN)/python bench/bench.py $(COURSE)
	$(BIN)/python bench/bench_validate.py $(COURSE)
