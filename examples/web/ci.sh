#!/usr/bin/env bash
# CI for the example front end and the OpenAPI document: spec lint, type generation + type check, browser test.
# Prints "N passed, N failed, N skipped" for the browser tests; exits non-zero if any step fails.
set -euo pipefail
cd "$(dirname "$0")"

echo "== npm ci"
npm ci --no-audit --no-fund --loglevel=error

echo "== OpenAPI lint (openapi/.spectral.yml)"
npm run --silent lint:openapi

echo "== TypeScript types from openapi/headlessnews.v1.json, then tsc --noEmit"
npm run --silent typecheck

echo "== Browser tests (Debian Chromium + playwright-core)"
report=$(mktemp)
trap 'rm -f "$report"' EXIT
status=0
# One file at a time: each builds the API and starts its own API, database and Chromium.
node --test --test-concurrency=1 --test-reporter=tap test/*.test.mjs | tee "$report" || status=$?

count() { sed -n "s/^# $1 \([0-9][0-9]*\)$/\1/p" "$report" | tail -n 1; }
passed=$(count pass); failed=$(( $(count fail || true) + $(count cancelled || true) + 0 )); skipped=$(count skipped)
echo "${passed:-0} passed, ${failed} failed, ${skipped:-0} skipped"
if [ "$status" -eq 0 ] && [ -z "$passed" ]; then
  echo "The browser test reported no results." >&2
  status=1
fi
exit "$status"
