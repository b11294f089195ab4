#!/usr/bin/env bash
# Playwright's web server: provisions the e2e users with the operator CLI, then serves the production build.
# Without DATABASE_URL it uses a fresh embedded database in the run's folder, kept when the server stops.
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ ! -f .next/BUILD_ID ]]; then
  echo "e2e: no production build in .next/ — run 'npx next build' first (npm test does both)." >&2
  exit 1
fi
: "${PORT:?e2e: PORT must be set}"

# The run's folder, emptied at every start: everything the server prints (server.log), the secrets the specs type
# (e2e/fixtures/canaries.ts) and the embedded database, all kept for the canary check after the run
# (scripts/check-canaries.ts, run by scripts/test.sh, which then removes the database).
RUN_DIR="${E2E_RUN_DIR:-.e2e-run}"
rm -rf "$RUN_DIR"
mkdir -p "$RUN_DIR"
exec > >(tee -a "$RUN_DIR/server.log") 2> >(tee -a "$RUN_DIR/server.log" >&2)

if [[ -z "${DATABASE_URL:-}" ]]; then
  DATA_DIR="$RUN_DIR/data"
  export DATA_DIR
  echo "e2e: embedded database (PGlite) in $DATA_DIR"
else
  : "${SESSION_SECRET:?e2e: SESSION_SECRET must be set when DATABASE_URL is set}"
  : "${HASH_KEY:?e2e: HASH_KEY must be set when DATABASE_URL is set}"
  export SEED_DEMO_USERS=true
  echo "e2e: PostgreSQL from DATABASE_URL"
fi

# The CLI opens the database and closes it before the server starts (PGlite allows one process at a time).
# PASSWORD_HISTORY=0 (this import only): on a reused PostgreSQL database the wizard specs have reset some passwords, and
# the CSV's password, already in those users' history, must be accepted again.
imported="$(PASSWORD_HISTORY=0 npm run --silent users -- import e2e/fixtures/users.csv)"
echo "$imported"
# A suite with users of its own (playwright.providers.config.ts) names their CSV as well.
if [[ -n "${E2E_EXTRA_USERS:-}" ]]; then
  PASSWORD_HISTORY=0 npm run --silent users -- import "$E2E_EXTRA_USERS"
fi

# A reused PostgreSQL database keeps the last run's lockouts: start the accounts the specs lock unlocked again.
if [[ -n "${DATABASE_URL:-}" && "$imported" != *" 0 updated"* ]]; then
  pids=()
  for email in $(awk -F, 'NR > 1 && ($1 ~ /^(lock|locklink|compare|unlock|helpdesk)-/) { print $1 }' e2e/fixtures/users.csv); do
    npm run --silent users -- unlock "$email" &
    pids+=("$!")
  done
  for pid in "${pids[@]}"; do wait "$pid"; done
  # "Klopt dit nummer nog?" is asked again of the reconfirm users (setting the number clears its confirmation).
  while IFS=, read -r email mobile; do
    npm run --silent users -- set-phone "$email" "$mobile" >/dev/null
  done < <(awk -F, 'NR > 1 && ($1 ~ /^reconfirm-/) { print $1 "," $4 }' e2e/fixtures/users.csv)
fi

node server/main.mjs &
server=$!
stop() {
  kill -TERM "$server" 2>/dev/null || true
  wait "$server" 2>/dev/null || true
  exit 0
}
trap stop TERM INT
wait "$server"
