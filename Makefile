# The project's command surface. Every target sets up what it needs on first use.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
# The Lambda functions' Python (infra/functions.py RUNTIME; a test keeps the two equal): the unit and
# infra tests also run on it, from a second venv built from the same lock.
LAMBDA_PYTHON_VERSION := 3.13
LAMBDA_PYTHON ?= $(shell PYENV_VERSION=$(LAMBDA_PYTHON_VERSION) pyenv which python$(LAMBDA_PYTHON_VERSION) 2>/dev/null || command -v python$(LAMBDA_PYTHON_VERSION))
LAMBDA_VENV := .venv-lambda
UV := $(PYTHON) -m uv
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(VENV)
export JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION := 1
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20

.PHONY: help setup setup-lambda node chromium demo simulate test test-unit test-infra test-lambda-runtime test-integration test-e2e lint format synth bench openapi clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-16s %s\n", $$1, $$2}'

# The venv is rebuilt only when the lock changes.
$(VENV)/.synced: uv.lock pyproject.toml
	@$(PYTHON) -m uv --version >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet --disable-pip-version-check uv==0.13.8
	$(UV) sync --frozen --python $(PYTHON) --quiet
	@touch $@

setup: $(VENV)/.synced ## create .venv from uv.lock

$(LAMBDA_VENV)/.synced: uv.lock pyproject.toml $(VENV)/.synced
	@test -n "$(LAMBDA_PYTHON)" || { echo "python$(LAMBDA_PYTHON_VERSION) not found (the Lambda runtime's Python)"; exit 1; }
	UV_PROJECT_ENVIRONMENT=$(LAMBDA_VENV) $(UV) sync --frozen --python $(LAMBDA_PYTHON) --quiet
	@touch $@

setup-lambda: $(LAMBDA_VENV)/.synced ## create .venv-lambda (the Lambda runtime's Python) from uv.lock

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

node: node_modules/.installed ## install the pinned CDK CLI and uPlot (the /ops page's charts)

chromium: ## install Debian's chromium for the browser tests (when missing)
	@command -v chromium >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

demo: setup node ## run the whole system on this machine (API :3000, storefront :8080)
	$(BIN)/python -m local.demo

simulate: setup ## simulated shoppers against the local stack, then the experiment report (ARGS="--shoppers 40")
	$(BIN)/python -m simulate $(ARGS)

test: setup setup-lambda node chromium ## run every test (unit, infra, integration, e2e; unit and infra on the Lambda's Python too)
	$(BIN)/pytest
	$(LAMBDA_VENV)/bin/pytest -m "unit or infra" -p no:cacheprovider

test-lambda-runtime: setup-lambda node ## unit and infra tests on the Lambda runtime's Python
	$(LAMBDA_VENV)/bin/pytest -m "unit or infra" -p no:cacheprovider

test-unit: setup ## unit tests only
	$(BIN)/pytest -m unit

test-infra: setup node ## CDK template assertions, cdk-nag and cfn-lint
	$(BIN)/pytest -m infra

test-integration: setup node ## the local stack over HTTP
	$(BIN)/pytest -m integration

test-e2e: setup node chromium ## the storefront in headless Chromium
	$(BIN)/pytest -m e2e

lint: setup ## ruff check, ruff format --check, mypy
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy lambdas infra local dataset provision bench repository analytics experiments simulate app.py tests

format: setup ## apply ruff fixes and formatting
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

synth: setup node ## synthesize the CDK app into cdk.out (no AWS credentials needed)
	npx cdk synth --quiet

openapi: setup ## regenerate openapi.json from the handlers' models
	POWERTOOLS_SERVICE_NAME=openapi POWERTOOLS_METRICS_NAMESPACE=RetailPersonalization PARAMETER_PREFIX=/retail-personalization EVENT_BUS_NAME=openapi \
		$(BIN)/python -m personalization.http.openapi > openapi.json

bench: setup ## benchmarks and the offline quality evaluation (writes bench/results/)
	@command -v wrk >/dev/null || apt-get install -y -qq wrk >/dev/null || echo "wrk unavailable: the local API benchmark uses its Python load generator"
	$(BIN)/python -m bench

clean: ## remove generated files (keeps .venv and node_modules)
	rm -rf cdk.out bench/results .pytest_cache .mypy_cache .ruff_cache
