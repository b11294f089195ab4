#!/usr/bin/env bash
# The whole test suite (`npm test`): type check, lint, Vitest, production build, Playwright (the main suite, then the one
# against the hCaptcha and MessageBird stand-ins).
# Runs on the embedded PGlite by default, on PostgreSQL when DATABASE_URL is set (then SESSION_SECRET and HASH_KEY too).
# Every step runs even when an earlier one failed (except Playwright, which needs the build); the exit status is
# non-zero when any step failed.
set -euo pipefail
cd "$(dirname "$0")/.."
export NEXT_TELEMETRY_DISABLED=1

started=$SECONDS
failures=()
section() { printf '\n==== %s ====\n' "$*"; }
step() {
  local name=$1
  shift
  section "$name"
  local t0=$SECONDS
  if "$@"; then
    printf -- '---- %s: ok (%ss)\n' "$name" "$((SECONDS - t0))"
  else
    printf -- '---- %s: FAILED (exit %s, %ss)\n' "$name" "$?" "$((SECONDS - t0))"
    failures+=("$name")
    return 1
  fi
}

if [[ -n "${DATABASE_URL:-}" ]]; then
  : "${SESSION_SECRET:?SESSION_SECRET (at least 32 characters) is required when DATABASE_URL is set}"
  : "${HASH_KEY:?HASH_KEY (at least 32 characters) is required when DATABASE_URL is set}"
  echo "Database: PostgreSQL (DATABASE_URL)${TEST_DATABASE_URL:+; Vitest integration tests on TEST_DATABASE_URL}"
else
  echo "Database: embedded PGlite (DATABASE_URL not set)"
fi

# The system packages first (Chromium; as root installed when missing): without them the run stops here, at once.
step "System packages (scripts/ensure-packages.sh)" bash scripts/ensure-packages.sh || exit 1
step "Type check (tsc --noEmit)" npx tsc --noEmit || true
step "Lint and format (eslint, prettier --check)" npm run --silent lint || true
step "Unit and integration tests (vitest run)" npx vitest run || true
if step "Production build (next build)" npx next build; then
  step "Browser tests (playwright test)" npx playwright test || true
  # That run's passwords, phone numbers and codes must appear nowhere in its audit trail or its server log.
  step "Canary check (scripts/check-canaries.ts)" npx tsx --conditions=react-server scripts/check-canaries.ts || true
  rm -rf "${E2E_RUN_DIR:-.e2e-run}/data"
  # hCaptcha and MessageBird through their real client code, against the local stand-ins (same build).
  step "Browser tests with the provider stand-ins (playwright.providers.config.ts)" npx playwright test --config playwright.providers.config.ts || true
  rm -rf "${E2E_RUN_DIR:-.e2e-run}/data"
else
  failures+=("Browser tests (not run: no build)")
fi

if ((${#failures[@]})); then
  joined=$(printf '%s; ' "${failures[@]}")
  section "FAILED after $((SECONDS - started))s: ${joined%; }"
  exit 1
fi
section "All tests passed in $((SECONDS - started))s"
