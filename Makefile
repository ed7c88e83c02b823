# Familiar targets, each a one-line alias for the pipeline (`careervp-ci`) or pytest.
# `make` bootstraps itself on a fresh machine: a pinned uv in .tools/, then the locked Python and Node tools.
UV_VERSION := 0.13.8
UV := .tools/bin/uv
RUN := $(UV) run --frozen
ENV ?= dev
PROFILE ?= main
# Steps allowed to end UNVERIFIED (shown as such, never as passed): the vulnerability service is often out of
# reach on a developer machine. CI's Dagger path sets none.
ALLOW_UNVERIFIED ?= audit

.PHONY: setup containers ci check test rehearse e2e journeys compare-openapi build deploy destroy bench bench-store fmt serve

$(UV):
	python3 -m venv .tools && .tools/bin/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

# Install scripts are skipped: the only package with one is libxmljs2 (an optional dependency of
# @cyclonedx/cyclonedx-npm, for XML validation), whose native build took ~80 s and which the JSON SBOM never
# loads. The tree stays complete, so `npm ls` (run by cyclonedx-npm) finds nothing missing or invalid.
node_modules/.package-lock.json: package-lock.json | $(UV)
	$(UV) sync --frozen --quiet
	$(RUN) --no-sync npm ci --no-audit --no-fund --loglevel=error --ignore-scripts

# The SPA's own locked npm project; the stamp names the lock it installed, as the pipeline's frontend steps
# write it (careervp_ci.pipeline.steps.frontend), so they reuse this install instead of repeating it.
frontend/node_modules/.careervp-lock: frontend/package-lock.json node_modules/.package-lock.json | $(UV)
	$(RUN) --no-sync npm ci --prefix frontend --no-audit --no-fund --loglevel=error --ignore-scripts
	sha256sum frontend/package-lock.json | cut -d' ' -f1 > $@

# The venv with bytecode, so no tool process recompiles what it imports (these machines set
# PYTHONDONTWRITEBYTECODE=1). The .pyc files are checked-hash (verified against their source on import), so
# they are compiled once per lock on this machine and unpacked into a fresh venv after that
# (careervp_ci.host.bytecode). It runs only when the lock changes, beside `npm ci` (setup runs both at once).
.venv/.bytecode: uv.lock pyproject.toml ci/pyproject.toml | $(UV)
	$(UV) sync --frozen --quiet
	$(RUN) --no-sync python -m careervp_ci.host.bytecode
	@touch $@

# The IaC scanner's own locked environment: checkov pins packaging<24, which the workspace cannot share.
ci/tools/checkov/.venv/.synced: ci/tools/checkov/uv.lock ci/tools/checkov/pyproject.toml | $(UV)
	$(UV) sync --frozen --quiet --project ci/tools/checkov
	@touch $@

setup: $(UV) ## install the locked toolchain (uv.lock, package-lock.json, ci/tools/checkov/uv.lock)
	@$(MAKE) --no-print-directory -j2 .venv/.bytecode node_modules/.package-lock.json frontend/node_modules/.careervp-lock ci/tools/checkov/.venv/.synced
	$(UV) sync --frozen --quiet

ci: setup containers ## the pipeline's main job on the host (its smoke loads the SPA in Chromium)
	$(RUN) careervp-ci ci --profile $(PROFILE) $(if $(ALLOW_UNVERIFIED),--allow-unverified $(ALLOW_UNVERIFIED))

check: setup ## the pull-request quality bar
	$(RUN) careervp-ci ci --profile pr

containers: ## podman, runc, mmdebstrap (the Dagger rehearsal) and chromium (the SPA smoke), from Debian when missing and root
	@.ci/container-tools

# Whole files per worker: module-scoped fixtures (a rehearsal, a deploy) run once, on one worker. Each test runs
# once: the suites the rehearsal's containers run whole (tests/unit, integration, regression, ci) are not run
# again on the host (tests/conftest.py); `pytest tests/unit` alone runs them here.
test: setup containers ## the whole test suite (the Dagger rehearsal included), one worker per core
	$(RUN) pytest --numprocesses auto --dist loadfile --no-loadscope-reorder -m "not bench"

e2e: setup ## the release path end to end against the local AWS emulator
	$(RUN) pytest tests/e2e

journeys: setup ## the happy-path journeys over HTTP against a deployed environment: make journeys ENV=dev
	$(RUN) careervp-ci journeys --env $(ENV)

rehearse: setup containers ## the workflows' dagger calls in local containers: make rehearse [WORKFLOW=deploy-dev]
	$(RUN) careervp-ci rehearse $(foreach workflow,$(WORKFLOW),--workflow $(workflow))

compare-openapi: setup ## the committed API contract against the code and the base ref
	$(RUN) careervp-ci openapi

build: setup ## build the release artifact once; prints its digest
	$(RUN) careervp-ci build

deploy: setup ## deploy an artifact: make deploy ENV=dev ARTIFACT=sha256:...
	$(RUN) careervp-ci deploy --env $(ENV) --artifact $(ARTIFACT)

destroy: setup ## guarded: make destroy ENV=dev CONFIRM=dev (prod is refused)
	$(RUN) careervp-ci destroy --env $(ENV) --confirm $(CONFIRM)

serve: setup ## the API on 127.0.0.1 against a fresh AWS emulator: make serve [PORT=8000]; Ctrl-C stops
	$(RUN) careervp-ci serve --port $(or $(PORT),8000)

bench: setup ## the pipeline's own benchmarks
	$(RUN) python bench/run.py $(BENCH_ARGS)

bench-store: setup containers ## the result store on the Dagger path: pr-validate rehearsed on two empty layer stores, wall times and ratio
	$(RUN) pytest -m bench -n 0 -s tests/rehearsal/test_rehearsal_store.py

fmt: setup ## apply formatting and safe lint fixes
	$(RUN) ruff format . && $(RUN) ruff check --fix .

.PHONY: lock-module
lock-module: $(UV) ## lock the Dagger module alone (ci/uv.lock): a copy of ci/ outside the workspace, as the engine sees it, at uv.lock's versions
	@set -e; tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	cp ci/pyproject.toml ci/.python-version "$$tmp/"; \
	cp uv.lock "$$tmp/uv.lock"; \
	engine=$$(sed -n 's/^ *"engineVersion": *"v\([0-9][0-9.]*\)".*/\1/p' dagger.json); \
	if [ -z "$$engine" ]; then echo "lock-module: no engineVersion in dagger.json" >&2; exit 2; fi; \
	$(UV) lock --quiet --directory "$$tmp" --upgrade-package "dagger-io==$$engine"; \
	cp "$$tmp/uv.lock" ci/uv.lock; \
	echo "lock-module: ci/uv.lock locks $$(grep -c '^\[\[package\]\]' ci/uv.lock) packages, dagger-io==$$engine"
