#!/usr/bin/env bash
# The baseline for bench/run.py: the `pr` bar as a straightforward workflow runs it, one tool after another,
# with no result cache. Usage: bench/sequential.sh TREE (tools come from PATH, e.g. the project's .venv/bin).
# BENCH_SKIP="step ..." leaves out the named gates (the bench leaves out the same ones from careervp-ci).
set -euo pipefail
cd "${1:?usage: sequential.sh TREE}"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
# absolute: tests run tools in other folders (fixture trees), where a relative path would name their files
export PYTHONPATH="$PWD/src/backend:$PWD/infra:$PWD/ci/src${PYTHONPATH:+:$PYTHONPATH}"
skip=" ${BENCH_SKIP:-} "

format() { ruff format --check ci src infra bench tests; }
lint() { ruff check ci src infra bench tests; }
typecheck() { mypy ci/src src infra tests; }
naming() { python src/backend/scripts/validate_naming.py --path infra --strict; }
unit() { COVERAGE_FILE="$out/unit.coverage" pytest tests/unit -q --cov --cov-report= --junitxml "$out/unit.xml"; }
integration() {
  COVERAGE_FILE="$out/integration.coverage" pytest tests/integration -q -m "not slow" --cov --cov-report= \
    --junitxml "$out/integration.xml"
}
coverage_floors() {
  coverage combine --keep --data-file="$out/combined" "$out/unit.coverage" "$out/integration.coverage"
  coverage xml --data-file="$out/combined" -o "$out/coverage.xml"
  coverage report --data-file="$out/combined" --fail-under=80
}
synth() {
  CDK_OUTDIR="$out/cdk.out" python infra/app.py
  find "$out/cdk.out" -name '*.template.json' -print0 | xargs -0 cfn-lint --format json --non-zero-exit-code error
  "${CAREERVP_CHECKOV_ENV:-ci/tools/checkov/.venv}/bin/checkov" --directory "$out/cdk.out" \
    --framework cloudformation --output json --compact --skip-download > "$out/checkov.json"
}
frontend() {
  [[ -f frontend/node_modules/.package-lock.json ]] || npm ci --prefix frontend --no-audit --no-fund \
    --loglevel=error --ignore-scripts
  npm run --prefix frontend "$1"
}
openapi() {
  openapi-spec-validator docs/specs/openapi.json
  python -m careervp_local.openapi --check docs/specs/openapi.json
}
workflows() { actionlint .github/workflows/*.yml && zizmor --offline .github/workflows; }
docs() {
  mapfile -t markdown < <(git ls-files '*.md')
  mdformat --check "${markdown[@]}" || true  # the step excludes files whose format is not yet enforced
  lychee --offline --include-fragments --no-progress "${markdown[@]}"
}
secrets() {
  local excluded
  excluded=$(python -c 'from careervp_ci.pipeline.steps.secrets import EXCLUDED; print(EXCLUDED)')
  detect-secrets scan --no-verify --all-files --exclude-files "$excluded" . > "$out/secrets.json"
}
pipeline_tests() { pytest tests/ci -n auto -q --junitxml "$out/pipeline.xml"; }

for gate in format lint typecheck naming unit integration coverage synth openapi frontend-lint frontend-unit \
  frontend-build workflows pipeline-tests docs secrets; do
  [[ $skip == *" $gate "* ]] && continue
  case $gate in
    coverage) coverage_floors ;;
    pipeline-tests) pipeline_tests ;;
    frontend-lint) frontend lint ;;
    frontend-unit) frontend test ;;
    frontend-build) frontend build ;;
    *) "$gate" ;;
  esac
done
