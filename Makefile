# The README's two commands: `make run` (install + serve the demo) and `make test`.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
PIP    := $(VENV)/bin/pip
HOST   ?= 127.0.0.1
PORT   ?= 8000
CHROMIUM ?= /usr/bin/chromium
STAMP  := $(VENV)/.installed

.PHONY: install run test bench lint chromium clean docs-shots

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -e '.[test,bench]'
	touch $(STAMP)

install: $(STAMP)

run: install
	KIOSK_PUBLIC_BASE_URL="$${KIOSK_PUBLIC_BASE_URL:-http://$(HOST):$(PORT)}" \
	$(VENV)/bin/kiosk serve --host $(HOST) --port $(PORT)

# Browser tests drive Debian's Chromium (browsers cannot be downloaded here).
chromium:
	@if [ ! -x $(CHROMIUM) ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else \
	    echo "Chromium is missing. Install it with:  sudo apt-get install -y chromium"; exit 1; \
	  fi; \
	fi

# The suite starts `kiosk` processes by the hundred; byte-compile the package once so that
# each does not recompile it (PYTHONDONTWRITEBYTECODE=1 machines never cache it otherwise).
test: install chromium
	$(PY) -m compileall -q kiosk kiosk_launcher.py >/dev/null
	$(PY) -m pytest -q $(PYTEST_ARGS)

# Retake the staff panel's screenshots in docs/screenshots/ (the browser tests take them).
docs-shots: install chromium
	KIOSK_DOC_SHOTS=1 $(PY) -m pytest -q -m browser tests/admin $(PYTEST_ARGS)

bench: install
	$(PY) bench/fanout.py $(BENCH_ARGS)

lint: install
	$(VENV)/bin/ruff check .

clean:
	rm -rf $(VENV) *.egg-info .pytest_cache .ruff_cache
