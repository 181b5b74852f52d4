#!/usr/bin/env bash
# api/openapi.json must pass Redocly's and Spectral's linters (spectral:oas)
# with no error and no warning; both are pinned in tools/lint.
set -euo pipefail
cd "$(dirname "$0")/.."
.ci/lint-tools.sh
bin=tools/lint/node_modules/.bin
"$bin/redocly" lint --config tools/lint/redocly.yaml --format stylish --max-problems 200 api/openapi.json
"$bin/spectral" lint --ruleset tools/lint/spectral.yaml --fail-severity warn api/openapi.json
