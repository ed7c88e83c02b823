#!/usr/bin/env bash
# The baseline for bench/run.py: the `pr` bar as a straightforward workflow runs it, one tool after another,
# with no result cache. Usage: bench/sequential.sh TREE (tools come from PATH, e.g. the project's .venv/bin).
set -euo pipefail
cd "${1:?usage: sequential.sh TREE}"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
export PYTHONPATH="src/backend:infra:ci/src${PYTHONPATH:+:$PYTHONPATH}"

ruff format --check ci src infra bench tests
ruff check ci src infra bench tests
mypy ci/src src infra
python src/backend/scripts/validate_naming.py --path infra --strict
COVERAGE_FILE="$out/unit.coverage" pytest tests/unit -q --cov --cov-report= --junitxml "$out/unit.xml"
COVERAGE_FILE="$out/integration.coverage" pytest tests/integration -q -m "not slow" --cov --cov-report= \
  --junitxml "$out/integration.xml"
coverage combine --keep --data-file="$out/combined" "$out/unit.coverage" "$out/integration.coverage"
coverage xml --data-file="$out/combined" -o "$out/coverage.xml"
coverage report --data-file="$out/combined" --fail-under=80
CDK_OUTDIR="$out/cdk.out" python infra/app.py
find "$out/cdk.out" -name '*.template.json' -print0 | xargs -0 cfn-lint --format json --non-zero-exit-code error
openapi-spec-validator docs/specs/openapi.json
python -m careervp.openapi --check docs/specs/openapi.json
actionlint .github/workflows/*.yml
zizmor --offline .github/workflows
