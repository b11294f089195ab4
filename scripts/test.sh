#!/usr/bin/env bash
# The whole test suite (`npm test`): type check, Vitest, production build, Playwright.
# Runs on the embedded PGlite by default, on PostgreSQL when DATABASE_URL is set (then SESSION_SECRET too).
set -euo pipefail
set -o errtrace # the ERR trap below also fires inside step()
cd "$(dirname "$0")/.."
export NEXT_TELEMETRY_DISABLED=1

section() { printf '\n==== %s ====\n' "$*"; }
started=$SECONDS
current="setup"
trap 'status=$?; printf "\n==== FAILED: %s (exit %s) ====\n" "$current" "$status" >&2' ERR
step() {
  local name=$1
  shift
  current=$name
  section "$name"
  local t0=$SECONDS
  "$@"
  printf -- '---- %s: ok (%ss)\n' "$name" "$((SECONDS - t0))"
}

if [[ -n "${DATABASE_URL:-}" ]]; then
  : "${SESSION_SECRET:?SESSION_SECRET (at least 32 characters) is required when DATABASE_URL is set}"
  echo "Database: PostgreSQL (DATABASE_URL)${TEST_DATABASE_URL:+; Vitest integration tests on TEST_DATABASE_URL}"
else
  echo "Database: embedded PGlite (DATABASE_URL not set)"
fi

step "Type check (tsc --noEmit)" npx tsc --noEmit
step "Unit and integration tests (vitest run)" npx vitest run
step "Production build (next build)" npx next build
step "Browser tests (playwright test)" npx playwright test

section "All tests passed in $((SECONDS - started))s"
