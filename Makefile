# The README's two commands: `make run` (install + serve the demo) and `make test`.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
PIP    := $(VENV)/bin/pip
HOST   ?= 127.0.0.1
PORT   ?= 8000
CHROMIUM ?= /usr/bin/chromium
STAMP  := $(VENV)/.installed

# Kiosk handwriting (手写): Debian's Zinnia recognizer and its Simplified Chinese model.
HANDWRITING_MODEL    ?= /usr/share/tegaki/models/zinnia/handwriting-zh_CN.model
HANDWRITING_PACKAGES := libzinnia0 tegaki-zinnia-simplified-chinese
HAVE_HANDWRITING     := [ -r $(HANDWRITING_MODEL) ] && \
  $(PYTHON) -c 'import ctypes; ctypes.CDLL("libzinnia.so.0")' 2>/dev/null
APT_HANDWRITING      := DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(HANDWRITING_PACKAGES)

.PHONY: install run test bench bench-search reliability lint chromium handwriting handwriting-optional clean docs-shots

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -e '.[test,bench]'
	touch $(STAMP)

install: $(STAMP)

run: install handwriting-optional
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

# The tests need handwriting recognition (tests/touch/test_handwriting.py fails without it).
# As root (CI) it is installed; the package lists are refreshed only if that fails.
handwriting:
	@if ! { $(HAVE_HANDWRITING); }; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    $(APT_HANDWRITING) >/dev/null 2>&1 || { apt-get update -qq && $(APT_HANDWRITING) >/dev/null; }; \
	  fi; \
	  if ! { $(HAVE_HANDWRITING); }; then \
	    echo "Handwriting recognition is missing. Install it with:  sudo apt-get install -y $(HANDWRITING_PACKAGES)"; exit 1; \
	  fi; \
	fi

# The server runs without it (kiosks then hide the handwriting panel): `run` only warns.
handwriting-optional:
	@$(MAKE) --no-print-directory -s handwriting 2>/dev/null \
	  || echo "Warning: serving without handwriting recognition (the kiosk hides its 手写 panel)."

# The suite starts `kiosk` processes by the hundred; byte-compile the package once so that
# each does not recompile it (PYTHONDONTWRITEBYTECODE=1 machines never cache it otherwise).
test: install chromium handwriting
	$(PY) -m compileall -q kiosk kiosk_launcher.py >/dev/null
	$(PY) -m pytest -q $(PYTEST_ARGS)

# Retake the staff panel's and the kiosk's screenshots in docs/screenshots/ (the browser tests
# take them).
docs-shots: install chromium handwriting
	KIOSK_DOC_SHOTS=1 $(PY) -m pytest -q -m browser tests/admin tests/touch $(PYTEST_ARGS)

bench: install
	$(PY) bench/fanout.py $(BENCH_ARGS)
	$(PY) bench/search_quality.py
	$(PY) bench/search.py
	$(PY) bench/login_flood.py

# docs/reliability.md: every fault and hostile-input test (marked `reliability`) with its result.
reliability: install chromium handwriting
	KIOSK_RELIABILITY_REPORT=docs/reliability.md $(PY) -m pytest -q -m reliability $(PYTEST_ARGS)

# Only the search benchmarks (quality on citizens' phrasings; speed at 10,000 guides).
bench-search: install
	$(PY) bench/search_quality.py
	$(PY) bench/search.py

lint: install
	$(VENV)/bin/ruff check .

clean:
	rm -rf $(VENV) *.egg-info .pytest_cache .ruff_cache
