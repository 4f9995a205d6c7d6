# Pitboard: everything a fresh clone needs is python3 and make.
#
#   make run     start the bot (front-ends whose token is set in the environment)
#   make test    lint gates, then the test suite (what CI runs: .ci/run)
#   make lint    ruff, ruff format --check, mypy --strict, import-linter contracts
#   make bench   every benchmark in bench/
#   make i18n    extract the messages, update the sv/de catalogs, compile them (bot/locale)
#   make lock    re-pin requirements.lock to the newest versions the index offers
#   make clean   remove the virtualenv and caches

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# Lives inside the venv, so that deleting the venv also forgets that it was set up.
STAMP := $(VENV)/.pitboard-installed

.PHONY: all setup run test lint bench lock clean i18n

all: test

setup: $(STAMP)

# The lock pins every package, setuptools included; the project itself is installed editable
# without build isolation so that the build uses that pinned setuptools and fetches nothing else.
$(STAMP): requirements.lock pyproject.toml setup.py
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps \
		--no-build-isolation -e .
	touch $@

run: $(STAMP)
	$(BIN)/pitboard run

# Four workers (pytest-xdist), on 2 cores too: most of the suite's time is waiting on
# real-time rate limits, replay clocks and subprocesses (its CPU time is under half its wall
# time), which the workers overlap. --dist loadscope keeps each module on one worker, so a
# module-scoped fixture (the soak, the built wheel) is built once. Each worker starts its own
# throw-away PostgreSQL server. PYTEST_WORKERS=0 runs the suite in one process.
PYTEST_WORKERS ?= 4
test: lint
	$(BIN)/python -m pytest -q -n $(PYTEST_WORKERS) --dist loadscope

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(BIN)/python tools/check_i18n.py

# Messages: bot/locale/pitboard.pot from the code, each language's .po brought up to date
# with it, and the .po files compiled into the .mo files the bot reads (all committed).
# Sorted by message, file names without line numbers and fixed header dates: a helper who adds
# messages changes only those lines, so parallel branches merge (see .gitattributes).
LANGS := sv de
i18n: $(STAMP)
	$(BIN)/pybabel --quiet extract -F babel.cfg -k N_ -k NP_:1c,2 --sort-output --add-location=file \
		--no-wrap --project=Pitboard -o bot/locale/pitboard.pot bot
	@set -e; for lang in $(LANGS); do \
		po=bot/locale/$$lang/LC_MESSAGES/pitboard.po; \
		if [ -f "$$po" ]; then \
			$(BIN)/pybabel --quiet update --no-wrap --no-fuzzy-matching --ignore-obsolete \
				-D pitboard -i bot/locale/pitboard.pot -d bot/locale -l $$lang; \
		else \
			$(BIN)/pybabel --quiet init --no-wrap -D pitboard -i bot/locale/pitboard.pot \
				-d bot/locale -l $$lang; \
		fi; \
	done
	$(BIN)/python tools/i18n_catalogs.py tidy
	$(BIN)/pybabel --quiet compile -D pitboard -d bot/locale

# Every bench/*.py is a benchmark, run as a module so it can import its helpers;
# bench/_*.py are those helpers (the catalog generator), not benchmarks.
bench: $(STAMP)
	@set -e; for script in bench/*.py; do \
		case "$$script" in bench/_*) continue ;; esac; \
		module=$$(basename "$$script" .py); \
		echo "== bench.$$module"; \
		$(BIN)/python -m "bench.$$module"; \
	done

# Resolve the newest versions allowed by pyproject.toml in a throw-away venv and pin them all.
lock:
	@set -e; tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	$(PYTHON) -m venv "$$tmp/venv"; \
	"$$tmp/venv/bin/python" -m pip install --quiet --disable-pip-version-check \
		--upgrade setuptools; \
	"$$tmp/venv/bin/python" -m pip install --quiet --disable-pip-version-check \
		--no-build-isolation -e '.[dev]'; \
	{ echo "# Exact pins of every package Pitboard installs (runtime, dev and transitive),"; \
	  echo "# resolved with $$("$$tmp/venv/bin/python" -V) by 'make lock'. Do not edit by hand:"; \
	  echo "# change the ranges in pyproject.toml and run 'make lock'."; \
	  "$$tmp/venv/bin/python" -m pip freeze --all --exclude-editable --disable-pip-version-check \
		| grep -v -i -E '^(pip|pitboard)(==| @)'; \
	} > requirements.lock
	@echo "requirements.lock updated"

clean:
	rm -rf $(VENV) build dist *.egg-info .mypy_cache .ruff_cache .pytest_cache .hypothesis \
		.import_linter_cache
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
