# xinfang — two commands: `make run` (install, migrate, load the demo county, serve) and `make test`.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=
export DJANGO_SETTINGS_MODULE ?= xinfang.settings.local

.DEFAULT_GOAL := help
.PHONY: help install fonts assets migrate demo run test test-fast e2e lint format bench check clean-var fuzz typecheck lock

help: ## list the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

# Development installs both locks (runtime + tests and tools), every package checked against its hash; production
# installs requirements.txt alone (README, "Running in production").
$(VENV)/.installed: requirements.txt requirements-dev.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet --require-hashes -r requirements.txt -r requirements-dev.txt
	@touch $@

install: $(VENV)/.installed assets fonts ## create .venv and install the hashed locks (runtime and development), front-end assets and the PDF font

fonts: ## the TrueType Chinese font every PDF embeds (Debian's fonts-arphic-uming, xinfang/core/pdf.py; XINFANG_PDF_FONT names another)
	@test -n "$$XINFANG_PDF_FONT" || test -f /usr/share/fonts/truetype/arphic/uming.ttc || { echo "PDF 中文字体未安装：正在从 Debian 软件源安装 fonts-arphic-uming"; apt-get install -y -qq fonts-arphic-uming; }

lock: ## compile requirements.txt and requirements-dev.txt with hashes from requirements.in and requirements-dev.in (pip-tools)
	$(VENV)/bin/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras --no-emit-index-url --no-emit-find-links -o requirements.txt requirements.in
	$(VENV)/bin/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras --no-emit-index-url --no-emit-find-links -o requirements-dev.txt requirements-dev.in

xinfang/static/vendor/.installed: package.json package-lock.json
	@command -v npm >/dev/null || { echo "npm 未安装：正在从 Debian 软件源安装 nodejs/npm"; apt-get install -y -qq nodejs npm; }
	npm ci --no-audit --no-fund --silent
	mkdir -p xinfang/static/vendor
	cp node_modules/htmx.org/dist/htmx.min.js xinfang/static/vendor/htmx.min.js
	cp node_modules/echarts/dist/echarts.min.js xinfang/static/vendor/echarts.min.js
	cp node_modules/accessible-autocomplete/dist/accessible-autocomplete.min.js node_modules/accessible-autocomplete/dist/accessible-autocomplete.min.css xinfang/static/vendor/
	@touch $@

assets: xinfang/static/vendor/.installed ## copy pinned htmx, ECharts and accessible-autocomplete from the npm registry into static/vendor

migrate: install ## apply database migrations (SQLite by default, DATABASE_URL for PostgreSQL)
	@mkdir -p var
	$(PY) manage.py migrate --noinput
	$(PY) manage.py createcachetable

demo: migrate ## load the demo county (idempotent)
	$(PY) manage.py load_demo

run: demo ## install, migrate, load the demo county and serve http://127.0.0.1:8000
	@echo ""
	@echo "  xinfang 信访工作管理系统: http://$(HOST):$(PORT)/"
	@echo "  演示账号 (密码均为 demo12345): admin clerk office leader unit_handler supervisor liaison info_officer safety_officer viewer"
	@echo "  群众门户: http://$(HOST):$(PORT)/portal/   API 文档: http://$(HOST):$(PORT)/api/v1/docs/"
	@echo ""
	$(PY) manage.py runserver $(HOST):$(PORT)

# Tests run in TEST_WORKERS processes (pytest-xdist, one database each). `--dist load` hands tests out in collection
# order, which pytest-django sorts so that every transaction=True test (its flush empties the rows the migrations
# wrote: groups, pause grounds) comes after the others in each process; `loadfile` would run a file's flushing tests
# early and leave later files without that data. TEST_WORKERS=0 runs them in this process.
TEST_WORKERS ?= 2

test: install ## run the whole suite (set DATABASE_URL to run it on PostgreSQL; COVERAGE=1 adds the coverage gate)
	@mkdir -p var
	DJANGO_SETTINGS_MODULE=xinfang.settings.test $(VENV)/bin/pytest -q -n $(TEST_WORKERS) --dist load $(if $(filter 1,$(COVERAGE)),--cov --cov-report=term) $(PYTEST_ARGS)

typecheck: $(VENV)/.installed ## mypy with django-stubs on the rule-carrying modules (pyproject.toml [tool.mypy])
	DJANGO_SETTINGS_MODULE=xinfang.settings.test $(VENV)/bin/mypy

e2e: install ## only the browser tests (headless Chromium)
	DJANGO_SETTINGS_MODULE=xinfang.settings.test $(VENV)/bin/pytest -q tests/e2e $(PYTEST_ARGS)

lint: $(VENV)/.installed ## ruff check and format check
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(VENV)/.installed ## apply ruff fixes and formatting
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

check: install ## migrations up to date and deploy checks clean
	@mkdir -p var
	$(PY) manage.py makemigrations --check --dry-run
	DJANGO_SETTINGS_MODULE=xinfang.settings.production SECRET_KEY=check-only-$$(date +%s)-abcdefghijklmnopqrstuvwxyz0123456789 \
	  XINFANG_FIELD_KEYS=$$($(PY) -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())") \
	  XINFANG_HASH_KEY=check-only-hash-$$(date +%s)-abcdefghijklmnopqrstuvwxyz XINFANG_CHAIN_KEY=check-only-chain-$$(date +%s)-abcdefghijklmnopqrstuvwxyz \
	  $(PY) manage.py check --deploy --fail-level WARNING

fuzz: install ## schemathesis against gunicorn (fresh SQLite, demo county) as each demo role; fails on any 5xx or schema violation
	$(PY) scripts/fuzz_api.py $(FUZZ_ARGS)

bench: install ## benchmarks: prints figures and writes var/bench.json (needs PostgreSQL for the large runs)
	$(PY) manage.py bench

clean-var: ## remove the local SQLite database and media (demo data is reloaded by make run)
	rm -rf var
