# comptoir — two commands: `make run` (set up and start on SQLite with demo data) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export UV_PYTHON_DOWNLOADS := never

.PHONY: run test lint check-migrations pytest venv dev-venv system-deps messages lock clean \
	bench bench-compare cluster-test cluster-test-ci

run: venv
	$(BIN)/comptoir run

test: dev-venv system-deps lint check-migrations pytest cluster-test-ci

lint: dev-venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy comptoir

check-migrations: dev-venv
	$(BIN)/python manage.py makemigrations --check --dry-run

# The whole suite on SQLite, PostgreSQL and MariaDB side by side (PostgreSQL and MariaDB when
# they are reachable; always under CI=true, where a missing server is a failure).
pytest: dev-venv
	scripts/test-matrix

system-deps:
	scripts/system-deps

venv: $(VENV)/.runtime
dev-venv: $(VENV)/.dev

$(VENV)/bin/uv:
	$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "comptoir needs Python >= 3.11"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check uv==0.13.9

$(VENV)/.runtime: requirements.lock.txt pyproject.toml | $(VENV)/bin/uv
	$(BIN)/uv pip install -q --python $(BIN)/python -r requirements.lock.txt
	$(BIN)/uv pip install -q --python $(BIN)/python --no-deps -e .
	touch $@

$(VENV)/.dev: requirements-dev.lock.txt pyproject.toml $(VENV)/.runtime
	$(BIN)/uv pip install -q --python $(BIN)/python -r requirements-dev.lock.txt
	touch $@

# Re-pin the lock files after a change to pyproject.toml (needs the dev venv).
lock: $(VENV)/bin/uv
	$(BIN)/uv pip compile pyproject.toml --python-version 3.11 -q -o requirements.lock.txt
	$(BIN)/uv pip compile pyproject.toml --group dev --python-version 3.11 -q -o requirements-dev.lock.txt

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache

# Extract the strings to translate into the catalogues, then compile them (needs gettext).
# The Jinja2 partials (*.jinja) too: their _("...") calls are read like a Django template's.
messages: dev-venv
	cd comptoir && ../$(BIN)/python ../manage.py makemessages --all --no-obsolete --no-location \
		-e html,txt,py,jinja -i "tests/*" -i "*/tests/*" && ../$(BIN)/python ../manage.py compilemessages

# The cluster run (bench/cluster.py, bench/README.md "Cluster run"): 2 web processes, 3 workers,
# PostgreSQL, Dovecot, an SMTP sink; load, 20,000 mails, a worker SIGKILLed every few seconds.
cluster-test: dev-venv
	scripts/cluster-test

# The same, short, in `make test` (PostgreSQL; required under CI=true).
cluster-test-ci: dev-venv
	CLUSTER_SECONDS=$${CLUSTER_SECONDS:-60} CLUSTER_MAILS=$${CLUSTER_MAILS:-2000} CLUSTER_S3=$${CLUSTER_S3:-1} \
		COMPTOIR_REDIS_URL=$${COMPTOIR_REDIS_URL:-$$(redis-cli -h 127.0.0.1 ping >/dev/null 2>&1 && echo redis://127.0.0.1:6379/11)} \
		scripts/cluster-test

# Benchmarks (bench/README.md). SIZE: threads, one or more (10000 100000 1000000); DB: sqlite,
# postgres, mariadb, or several. Data sets are generated once under var/bench/ and reused.
SIZE ?= 100000
DB ?= sqlite
PEER_BENCH ?= ../shared/peer-bench
PEER_RESULTS ?=

bench: dev-venv
	$(BIN)/python -m bench.run --size $(SIZE) --db $(DB)

# comptoir, then the peer (django-helpdesk) on the same machine in the same run, and the ratios.
bench-compare: dev-venv
	$(BIN)/python -m bench.run --size $(SIZE) --db sqlite --peer $(PEER_BENCH) \
		$(if $(PEER_RESULTS),--peer-results $(PEER_RESULTS))
