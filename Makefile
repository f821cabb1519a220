# warmwinter — the two promises: `make demo` and `make test`. Nothing else is needed.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
LOCK_STAMP := $(VENV)/.lock-$(shell sha256sum requirements.lock | cut -c1-16)
NODE_STAMP := node_modules/.lock-$(shell sha256sum package-lock.json | cut -c1-16)

.PHONY: demo test check install serve lint layers typecheck pytest pytest-fast browser messages lock bench clean

$(BIN)/python:
	$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11) and "Python 3.11+ is required")'
	$(PYTHON) -m venv $(VENV)

$(LOCK_STAMP): requirements.lock | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements.lock
	rm -f $(VENV)/.lock-* && touch $@

$(NODE_STAMP): package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	rm -f node_modules/.lock-* && touch $@

install: $(LOCK_STAMP) $(NODE_STAMP)

# Migrate, load reference and demo data, then serve the app and the task worker together.
demo: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_reference_data
	$(BIN)/python manage.py seed_demo --seed 7
	PORT=$(PORT) scripts/serve

serve: install
	PORT=$(PORT) scripts/serve

# Lint, types, then the whole suite (on SQLite, or on PostgreSQL when DATABASE_URL says so).
test: install browser lint typecheck pytest

# The fast lane while working: lint, types and the suite without the browser (about 2 minutes).
check: install lint typecheck pytest-fast

lint: layers
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# The app layering: the import-linter contracts in pyproject.toml (no import cycles between apps).
layers:
	$(BIN)/lint-imports --no-logo

typecheck:
	$(BIN)/mypy .

pytest:
	$(BIN)/python manage.py makemigrations --check --dry-run > /dev/null || { echo "模型有未生成的迁移：运行 manage.py makemigrations"; exit 1; }
	$(BIN)/pytest -n 2 --dist loadgroup -p no:cacheprovider

pytest-fast:
	$(BIN)/pytest -n 2 --dist loadgroup -p no:cacheprovider -m "not browser"

browser:
	@scripts/ensure-chromium

# Regenerate translation catalogues after changing user-facing strings.
messages: install
	$(BIN)/python manage.py makemessages -l en --no-obsolete --ignore '.venv/*' --ignore 'node_modules/*' --ignore '*/migrations/*' --ignore 'var/*'
	$(BIN)/python manage.py compilemessages -l en --ignore '.venv/*' --ignore 'node_modules/*'

# Re-resolve the locked Python dependencies from pyproject.toml.
lock: | $(BIN)/python
	$(BIN)/python -m pip install --quiet uv
	$(BIN)/uv pip compile pyproject.toml --extra dev --generate-hashes --python-version 3.11 -o requirements.lock
	$(BIN)/uv pip compile pyproject.toml --extra dev --extra bench --generate-hashes --python-version 3.11 -o requirements-bench.lock

# Benchmarks run on demand, never in CI; they also install the engines we compare against.
bench: install
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements-bench.lock
	@for f in bench/*.py; do echo "== $$f"; $(BIN)/python $$f; done

clean:
	rm -rf $(VENV) node_modules var .mypy_cache .ruff_cache .import_linter_cache
