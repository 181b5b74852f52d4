#!/usr/bin/env bash
# OpenActive's own validators over the feeds of a running service with the
# demo county: the RPDE validator walks /openactive/facility-uses and
# /openactive/slots, the data-model validator checks a sample of each feed's
# items and the dataset site's JSON-LD (tools/lint/openactive-check.js).
# Fails on any validator failure; warnings are printed (README: Open data).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/usr/local/go/bin:$PATH"

.ci/lint-tools.sh

work=$(mktemp -d)
port=$((20000 + RANDOM % 20000))
base="http://127.0.0.1:$port"
go build -o "$work/commonground" .
COMMONGROUND_ADDR="127.0.0.1:$port" DATABASE_URL="sqlite:$work/openactive.db" COMMONGROUND_SEED=demo \
  COMMONGROUND_PUBLIC_URL="$base" "$work/commonground" > "$work/server.log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 1 120); do
  curl -fs "$base/readyz" > /dev/null 2>&1 && break
  kill -0 "$server" 2>/dev/null || { cat "$work/server.log"; exit 1; }
  sleep 0.5
done
curl -fs "$base/readyz" > /dev/null || { cat "$work/server.log"; exit 1; }
# The feeds publish a change 10 s after it is stamped (README: Open data):
# wait until the demo county's rooms and slots are out.
for _ in $(seq 1 60); do
  curl -fs "$base/openactive/slots" | grep -q '"state"' && break
  sleep 0.5
done

node tools/lint/openactive-check.js "$base" | tee "$work/report.tsv" | grep -v '^warning' || true
echo "warnings by rule:"
awk -F'\t' '$1 == "warning" { sub(/\[[0-9]+\]/, "[]", $4); print $3, $4 }' "$work/report.tsv" | sed -E 's/\[[0-9]+\]/[]/g' | sort | uniq -c | sort -rn
tail -1 "$work/report.tsv" | grep -q '^openactive: 0 failures$'
