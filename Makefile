# Two commands on a fresh machine: `make build` then `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
COURSE ?= courses/osee
STAMP  := $(VENV)/.installed

.PHONY: build test lint bench clean help messages

help:
	@echo "make build  - create $(VENV), install the builder, build $(COURSE) into dist/"
	@echo "make test   - run the test suite (installs dev tools and the test browser as needed)"
	@echo "make lint   - ruff + builder lint on $(COURSE)"
	@echo "make bench  - timing and memory benchmark (see bench/)"
	@echo "make clean  - remove dist/ and caches (keeps $(VENV))"

$(STAMP): pyproject.toml setup.py
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

# The SCORM browser tests run the SCOs under scorm-again, the LMS-side runtime pinned in tests/scorm_again.
SCORM_AGAIN := tests/scorm_again/node_modules/.package-lock.json
$(SCORM_AGAIN): tests/scorm_again/package-lock.json
	npm ci --prefix tests/scorm_again --no-audit --no-fund
	touch $@

# The accessibility tests inject axe-core, pinned in tests/a11y, into the built pages.
AXE_CORE := tests/a11y/node_modules/.package-lock.json
$(AXE_CORE): tests/a11y/package-lock.json
	npm ci --prefix tests/a11y --no-audit --no-fund
	touch $@

test: $(STAMP) $(CHROMIUM) $(SCORM_AGAIN) $(AXE_CORE)
	$(BIN)/pytest

lint: $(STAMP)
	$(BIN)/ruff check builder tests bench
	$(BIN)/ruff format --check builder tests bench
	$(BIN)/builder lint $(COURSE)

clean:
	rm -rf dist .pytest_cache .ruff_cache .hypothesis
	find . -name __pycache__ -type d -prune -exec rm -rf {} +

# text2qti, the speed reference, lives in an environment of its own (not a dependency of the builder).
TEXT2QTI := .venv-text2qti/bin/text2qti
$(TEXT2QTI):
	$(PYTHON) -m venv .venv-text2qti
	.venv-text2qti/bin/pip install --quiet text2qti==0.8.0

# Bytecode is compiled first, as pip does when it installs a package (an editable install, and any
# shell with PYTHONDONTWRITEBYTECODE set, would otherwise compile the builder's code in every run).
bench: $(STAMP) $(TEXT2QTI)
	$(BIN)/python -m compileall -q builder >/dev/null
	$(BIN)/python bench/bench_validate.py $(COURSE)
	$(BIN)/python bench/bench_hostile.py
	$(BIN)/python bench/bench.py  # the targets of issue 15; exit 1 when one is missed

# Interface strings: extract them into builder/locale/messages.pot and merge it into each language's
# catalogue (then translate the new entries). Catalogues are read as .po at run time (builder/i18n.py).
messages: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k N_ -k tr:2 -k ntr:2,3 --no-location --sort-output \
	  --omit-header -o builder/locale/messages.pot .
	$(BIN)/pybabel update -i builder/locale/messages.pot -d builder/locale --no-location --omit-header \
	  --no-fuzzy-matching
