# Two commands set everything up on a fresh machine:
#   make run    install what is needed, then open the app on the demo corpus
#   make test   install what is needed, then run the whole test suite (offscreen)
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test bench bench-boilerplate bench-interchange screenshot system-deps clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

system-deps:
	@scripts/ensure-system-deps

run: system-deps $(STAMP)
	$(VENV)/bin/hashiya $(ARGS)

test: system-deps $(STAMP)
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest $(PYTEST_ARGS)

bench: system-deps $(STAMP)
	QT_QPA_PLATFORM=offscreen $(PY) benchmarks/bench_foundation.py

bench-boilerplate: system-deps $(STAMP)
	$(PY) benchmarks/bench_boilerplate.py

bench-interchange: system-deps $(STAMP)
	$(PY) benchmarks/bench_interchange.py

screenshot: system-deps $(STAMP)
	QT_QPA_PLATFORM=offscreen $(PY) -m ui.screenshot docs/screenshot.png

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
