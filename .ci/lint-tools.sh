#!/usr/bin/env bash
# Installs the pinned checkers of tools/lint (package-lock.json) once.
set -euo pipefail
cd "$(dirname "$0")/../tools/lint"
command -v node > /dev/null || { apt-get update -qq && apt-get install -y -qq nodejs npm > /dev/null; }
if [ ! -f node_modules/.package-lock.json ] || ! cmp -s package-lock.json node_modules/.lock-installed; then
  npm ci --no-audit --no-fund --loglevel=error
  cp package-lock.json node_modules/.lock-installed
fi
