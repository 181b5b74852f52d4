#!/usr/bin/env bash
# api/openapi.json must pass Redocly's and Spectral's linters (spectral:oas)
# with no error and no warning; both are pinned in tools/lint.
set -euo pipefail
cd "$(dirname "$0")/.."
.ci/lint-tools.sh
bin=tools/lint/node_modules/.bin
out=$("$bin/redocly" lint --config tools/lint/redocly.yaml --format stylish api/openapi.json 2>&1) || { echo "$out"; exit 1; }
echo "$out" | grep -v '[║╔╚]' | grep -v '^\s*$' || true
# Redocly exits 0 on warnings: a warning fails here too.
if echo "$out" | grep -Eq 'You have [0-9]+ warning|[0-9]+:[0-9]+ +warning'; then
  echo "openapi.json: Redocly warnings (python3 tools/openapi/lint_fixes.py api/openapi.json fixes the usual ones)"
  exit 1
fi
"$bin/spectral" lint --ruleset tools/lint/spectral.yaml --fail-severity warn api/openapi.json
