# Two commands set everything up on a fresh machine:
#   make run    install what running needs, then open the app on the demo corpus
#   make test   install that plus the test tools, then run the whole test suite (offscreen)
# The Linux bundle, its .tar.gz and .deb: make package; their test: make test-package.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
RUN_STAMP := $(VENV)/.installed-run
TEST_STAMP := $(VENV)/.installed-test

.PHONY: run test package test-package i18n-extract i18n-update i18n-compile bench bench-boilerplate bench-interchange screenshot screenshots-ar system-deps sizes clean

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

# What running needs: Hashiya and its dependencies, nothing for tests.
$(RUN_STAMP): pyproject.toml | $(VENV)/bin/python
	$(PY) -m pip install --quiet -e .
	touch $(RUN_STAMP)

$(TEST_STAMP): pyproject.toml | $(VENV)/bin/python
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(RUN_STAMP) $(TEST_STAMP)

system-deps:
	@scripts/ensure-system-deps

run: system-deps $(RUN_STAMP)
	$(VENV)/bin/hashiya $(ARGS)

test: system-deps $(TEST_STAMP)
	@scripts/ensure-test-postgres
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest $(PYTEST_ARGS)

bench: system-deps $(TEST_STAMP)
	QT_QPA_PLATFORM=offscreen $(PY) benchmarks/bench_foundation.py

bench-boilerplate: system-deps $(TEST_STAMP)
	$(PY) benchmarks/bench_boilerplate.py

bench-interchange: system-deps $(TEST_STAMP)
	$(PY) benchmarks/bench_interchange.py

package: system-deps
	@scripts/ensure-package-tools
	$(PYTHON) packaging/build_package.py

# Unpacks the .deb and runs the bundled program in a clean environment (packaging/tests).
test-package: package $(TEST_STAMP)
	$(PY) -m pytest -p no:cacheprovider packaging/tests $(PYTEST_ARGS)

# The size of each environment, for the README.
sizes:
	$(PYTHON) packaging/measure_environments.py

screenshot: system-deps $(TEST_STAMP)
	QT_QPA_PLATFORM=offscreen $(PY) -m ui.screenshot docs/screenshot.png

# The pictures of README.ar.md: the Arabic interface, rendered by the app itself.
screenshots-ar: system-deps $(TEST_STAMP)
	QT_QPA_PLATFORM=offscreen $(PY) -m ui.screenshot docs/screenshot-ar.png --language ar
	QT_QPA_PLATFORM=offscreen $(PY) -m ui.screenshot docs/review-ar.png review --language ar
	QT_QPA_PLATFORM=offscreen $(PY) -m ui.screenshot docs/export-ar.png export --language ar

# The message catalogue (app/i18n.py): extract the English messages from app/ and ui/ into the template,
# merge them into each language's .po (new ones untranslated, changed ones fuzzy: tests/test_i18n.py fails
# until a translator has done both), and compile the .po files the app reads.
LOCALE := resources/locale
PYBABEL := $(VENV)/bin/pybabel
i18n-extract: $(TEST_STAMP)
	$(PYBABEL) extract -F babel.cfg --no-location --sort-output -k N_ -k pgettext:1c,2 \
		--project=Hashiya --copyright-holder="The Hashiya authors" --omit-header --no-wrap -o $(LOCALE)/hashiya.pot .

i18n-update: i18n-extract
	$(PYBABEL) update -i $(LOCALE)/hashiya.pot -d $(LOCALE) -D hashiya --no-wrap --ignore-obsolete

i18n-compile: $(TEST_STAMP)
	$(PYBABEL) compile -d $(LOCALE) -D hashiya --statistics

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis build dist
