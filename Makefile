# Comptoir: the commands a newcomer runs.

VENV := .venv
BIN := $(VENV)/bin
# The first Python 3.12+ found: an explicit PYTHON, pyenv's 3.13/3.12, then the PATH.
PYTHON ?= $(shell for c in "PYENV_VERSION=3.13.0 python3" "PYENV_VERSION=3.12.1 python3" python3.13 python3.12 python3; do \
	if env $$c -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then echo "env $$c"; break; fi; done)
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install demo test bench lint format messages run clean

$(BIN)/comptoir: pyproject.toml
	@test -n '$(PYTHON)' || { echo "Python 3.12 or newer is needed: install it or set PYTHON=/path/to/python3.12"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	@touch $@

install: $(BIN)/comptoir

demo: install
	$(BIN)/comptoir migrate --no-input
	$(BIN)/comptoir demo load
	$(BIN)/comptoir collectstatic --no-input --verbosity 0
	$(BIN)/comptoir demo serve --host $(HOST) --port $(PORT)

test: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: install
	$(BIN)/python -m comptoir.bench

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Gathers the strings marked for translation into the French catalog and compiles it; both the
# .po and the .mo are committed. Needs GNU gettext (apt-get install gettext).
messages: install
	cd src/comptoir && COMPTOIR_VAR_DIR=$(CURDIR)/var ../../$(BIN)/comptoir makemessages -l fr --add-location=file --no-obsolete
	cd src/comptoir && COMPTOIR_VAR_DIR=$(CURDIR)/var ../../$(BIN)/comptoir compilemessages -l fr

clean:
	rm -rf $(VENV) var/*.sqlite3 var/static
