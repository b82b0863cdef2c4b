# Haat: `make run` serves the demo stores; `make test` runs the whole suite.
PYTHON ?= python3.11
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# The example third-party plugin, installed like any plugin package (its tests run too).
EXAMPLE       := examples/haat-announcement-bar
EXAMPLE_STAMP := $(VENV)/.installed-announcement-bar
# The second example: a wishlist with its own table, themed page, schedule and translations.
WISHLIST       := examples/haat-wishlist
WISHLIST_STAMP := $(VENV)/.installed-wishlist

.PHONY: run test install translations messages lint demo clean

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Haat needs Python 3.11 ($(PYTHON) not found)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python setup.cfg pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

$(EXAMPLE_STAMP): $(STAMP) $(EXAMPLE)/setup.cfg $(EXAMPLE)/pyproject.toml
	$(BIN)/python -m pip install --quiet -e $(EXAMPLE)
	@touch $(EXAMPLE_STAMP)

# Editable, like the first; its tests/test_packaging.py builds a wheel to check what a
# non-editable install carries.
$(WISHLIST_STAMP): $(STAMP) $(WISHLIST)/setup.cfg $(WISHLIST)/pyproject.toml
	$(BIN)/python -m pip install --quiet -e $(WISHLIST)
	@touch $(WISHLIST_STAMP)

install: $(STAMP) $(EXAMPLE_STAMP) $(WISHLIST_STAMP) translations

# Catalogues are compiled at install; .mo files are build output. "messages" holds the
# shopper-facing strings (en, bn, hy), "admin" the admin panel's.
translations: $(STAMP)
	$(BIN)/pybabel compile --directory core/translations --statistics
	$(BIN)/pybabel compile --directory core/translations --domain admin --statistics

# After changing shopper-facing strings: extract them and merge into each catalogue.
messages: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k _ -k gettext -k ngettext:1,2 -k lazy_gettext \
	  --no-location --sort-output --project=Haat --copyright-holder=Haat -o core/translations/messages.pot .
	$(BIN)/pybabel update -i core/translations/messages.pot -d core/translations --no-fuzzy-matching
	$(BIN)/pybabel extract -F babel-admin.cfg -k _ -k gettext -k ngettext:1,2 -k lazy_gettext -k _l -k timeline_text \
	  --no-location --sort-output --project=Haat --copyright-holder=Haat -o core/translations/admin.pot .
	$(BIN)/pybabel update -i core/translations/admin.pot -d core/translations --domain admin --no-fuzzy-matching

run: install
	$(BIN)/haat db upgrade
	$(BIN)/haat demo
	@echo "Serving on http://127.0.0.1:8000 (open the URLs above; Ctrl-C stops)"
	@# Jobs workers beside gunicorn: transactional jobs (order emails, SMS, search updates)
	@# in one process, bulk jobs (imports, reindexing, schedules) in a lower-priority one,
	@# so a big import never slows pages or emails (docs/operations.md).
	@# Links in emails and SMS (sent by the worker, outside any request) need the port.
	export HAAT_PUBLIC_PORT=$${HAAT_PUBLIC_PORT-8000}; \
	$(BIN)/haat jobs worker --queue transactional & worker=$$!; \
	nice -n 10 $(BIN)/haat jobs worker --queue bulk & bulk=$$!; \
	trap 'kill $$worker $$bulk 2>/dev/null' EXIT INT TERM; \
	$(BIN)/gunicorn --config gunicorn.conf.py wsgi:app

test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) instance .pytest_cache
