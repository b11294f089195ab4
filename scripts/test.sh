#!/usr/bin/env bash
# The whole test suite (`npm test`): system packages, type check, lint, Vitest, production build, Playwright (the main
# suite, the page gates, the directories, the suite against the hCaptcha and MessageBird stand-ins, on the same build),
# then the canary check of every browser suite's logs and audit trails.
# Runs on the embedded PGlite by default, on PostgreSQL when DATABASE_URL is set (then SESSION_SECRET and HASH_KEY too).
#
# TEST_SCOPE=full (the default) runs everything. TEST_SCOPE=smoke is for a second pass on the other database driver
# right after a full one (.ci/run): the checks that do not depend on the portal's database driver are not repeated
# (type check, lint, Vitest — the full pass's Vitest already runs every integration test on PGlite and, with
# TEST_DATABASE_URL, on PostgreSQL —, the page gates, the directories), the main browser suite runs the journey specs in
# one JavaScript and one no-JavaScript project (nl-nojs and en-js: both languages, both modes), and the provider suite
# in en-js.
#
# Every step runs even when an earlier one failed (except Playwright, which needs the build); the exit status is
# non-zero when any step failed, and a failure report (each failed test, its attempts, error and trace) ends the output.
# To add a part: one `step` line below; a Playwright suite goes through `pw <report name> [playwright args]`.
set -euo pipefail
cd "$(dirname "$0")/.."
export NEXT_TELEMETRY_DISABLED=1

scope=${TEST_SCOPE:-full}
if [[ $scope != full && $scope != smoke ]]; then
  echo "TEST_SCOPE must be full or smoke (got \"$scope\")" >&2
  exit 2
fi
# The system packages first (Chromium; as root installed when missing): without them the run stops here, at once.
packages_started=$SECONDS
bash scripts/ensure-packages.sh || exit 1
packages_took=$((SECONDS - packages_started))

# The reporters' JSON output, read by the failure report (scripts/report-failures.ts); emptied at every run.
reports=$(realpath -m "${TEST_REPORTS_DIR:-test-reports}")
rm -rf "$reports"
mkdir -p "$reports"

started=$((SECONDS - packages_took))
failures=()
timings=("$(printf '%5ss  %s' "$packages_took" "System packages (scripts/ensure-packages.sh)")")
section() { printf '\n==== %s ====\n' "$*"; }
step() {
  local name=$1
  shift
  section "$name"
  local t0=$SECONDS status=0
  "$@" || status=$?
  timings+=("$(printf '%5ss  %s%s' "$((SECONDS - t0))" "$name" "$([[ $status -eq 0 ]] || echo "  (FAILED, exit $status)")")")
  if [[ $status -eq 0 ]]; then
    printf -- '---- %s: ok (%ss)\n' "$name" "$((SECONDS - t0))"
  else
    printf -- '---- %s: FAILED (exit %s, %ss)\n' "$name" "$status" "$((SECONDS - t0))"
    failures+=("$name")
    return 1
  fi
}
# A step the full pass runs and a smoke pass leaves out.
full_only() {
  local name=$1
  shift
  if [[ $scope == full ]]; then
    step "$name" "$@"
  else
    timings+=("$(printf '%5s   %s' - "$name (not run: TEST_SCOPE=smoke)")")
  fi
}
# Playwright with its list output here and a JSON report for the failure report: pw <report name> [playwright args…]
pw() {
  local name=$1
  shift
  PLAYWRIGHT_JSON_OUTPUT_FILE="$reports/playwright-$name.json" npx playwright test --reporter=list,json "$@"
}
# The browser projects of this scope. The provider suite's smoke is en-js: its tests there (tagged @languages) are the
# real hCaptcha widget and the MessageBird SDK's SMS and spoken code on this driver; the failure modes run in the full scope.
# The main suite's smoke is the journeys a user and an administrator make, end to end on this driver's database: reset
# and unlock, sign-in and lockout, the helpdesk unlock with the admin sign-in, Mijn herstelgegevens; in nl-nojs and
# en-js. The other specs' pages and rules do not depend on the driver (Vitest runs the services on both).
main_selection=()
provider_projects=()
if [[ $scope == smoke ]]; then
  main_selection=(--project=nl-nojs --project=en-js e2e/recovery.spec.ts e2e/sign-in.spec.ts e2e/admin-helpdesk.spec.ts e2e/recovery-details.spec.ts)
  provider_projects=(--project=en-js)
fi

if [[ -n "${DATABASE_URL:-}" ]]; then
  : "${SESSION_SECRET:?SESSION_SECRET (at least 32 characters) is required when DATABASE_URL is set}"
  : "${HASH_KEY:?HASH_KEY (at least 32 characters) is required when DATABASE_URL is set}"
  echo "Database: PostgreSQL (DATABASE_URL)${TEST_DATABASE_URL:+; Vitest integration tests on TEST_DATABASE_URL}; scope: $scope"
else
  echo "Database: embedded PGlite (DATABASE_URL not set); scope: $scope"
fi

full_only "Type check (tsc --noEmit)" npx tsc --noEmit || true
full_only "Lint and format (eslint, prettier --check)" npm run --silent lint || true
full_only "Unit and integration tests (vitest run)" \
  npx vitest run --reporter=default --reporter=json --outputFile.json="$reports/vitest.json" || true
# TEST_REUSE_BUILD=1 (.ci/run's second pass, right after the first built the same tree): use the existing build. The
# build does not depend on the database driver; the portal picks it when it starts.
build() {
  if [[ ${TEST_REUSE_BUILD:-} == 1 && -f .next/BUILD_ID && -f .next/pglite-template.json ]]; then
    echo "TEST_REUSE_BUILD=1: using the existing build $(cat .next/BUILD_ID)"
  else
    npm run --silent build
  fi
}
if step "Production build (npm run build)" build; then
  step "Browser tests (playwright test${main_selection[*]:+ ${main_selection[*]}})" pw main "${main_selection[@]}" || true
  # The pages' HTML and accessibility do not depend on the database driver: once per run.
  full_only "Page gates: Lighthouse and the Nu HTML checker (scripts/page-gates.ts)" npx tsx scripts/page-gates.ts || true
  # Portals on real directories (Samba AD DC, OpenLDAP; their own embedded databases, so once per run, not per driver).
  full_only "Browser tests against real directories (playwright.directories.config.ts)" \
    pw directories --config playwright.directories.config.ts || true
  # hCaptcha and MessageBird through their real client code, against the local stand-ins (same build; its own run folder).
  step "Browser tests with the provider stand-ins (playwright.providers.config.ts${provider_projects[*]:+ ${provider_projects[*]}})" \
    pw providers --config playwright.providers.config.ts "${provider_projects[@]}" || true
  # Every browser suite's passwords, phone numbers and codes must appear nowhere in their audit trails or in the log of
  # any portal they started: the main suite's and the server specs' (.e2e-run, logs/), the providers' (.e2e-providers),
  # the directories' (.e2e-directories, full scope). Then the embedded databases go.
  run_dirs=("${E2E_RUN_DIR:-.e2e-run}" "${E2E_PROVIDERS_RUN_DIR:-.e2e-providers}")
  # (When the directory portals never started, their step has failed already; the check reads what there is.)
  if [[ $scope == full && -d ${E2E_DIRECTORIES_DIR:-.e2e-directories} ]]; then run_dirs+=("${E2E_DIRECTORIES_DIR:-.e2e-directories}"); fi
  step "Canary check (scripts/check-canaries.ts ${run_dirs[*]})" \
    npx tsx --conditions=react-server scripts/check-canaries.ts "${run_dirs[@]}" || true
  for dir in "${run_dirs[@]}"; do rm -rf "$dir/data" "$dir"/*/data; done
else
  failures+=("Browser tests (not run: no build)")
fi

section "Time per part (scope: $scope)"
printf '%s\n' "${timings[@]}"
if ((${#failures[@]})); then
  section "Failure report"
  npx tsx scripts/report-failures.ts "$reports" || true
  joined=$(printf '%s; ' "${failures[@]}")
  section "FAILED after $((SECONDS - started))s: ${joined%; }"
  exit 1
fi
section "All tests passed in $((SECONDS - started))s"
