#!/usr/bin/env bash
# Playwright's web server for the browser tests against real directories (playwright.directories.config.ts):
# `e2e/directories/web-server.sh ad|ldap PORT` starts that directory through the test harness (Samba AD DC or slapd
# with ppolicy, provisioned in a temporary folder; packages installed when missing and root), then the production
# build with DIRECTORY=<kind> and the harness's settings (the README's tested example), on a fresh embedded database.
# The directory's settings (also its administrator, for the specs' own set-up) go to <run dir>/directories.json.
# `web-server.sh down PORT`: a portal configured like the AD one (started before it) but whose LDAP_URL answers nobody,
# for the "cannot reach the account service" page.
set -euo pipefail
cd "$(dirname "$0")/../.."

kind="${1:?usage: web-server.sh ad|ldap PORT}"
port="${2:?usage: web-server.sh ad|ldap PORT}"
if [[ ! -f .next/BUILD_ID ]]; then
  echo "e2e: no production build in .next/ — run 'npx next build' first (npm test does both)." >&2
  exit 1
fi

RUN_DIR="$(pwd)/${E2E_DIRECTORIES_DIR:-.e2e-directories}/$kind"
rm -rf "$RUN_DIR"
mkdir -p "$RUN_DIR"
exec > >(tee -a "$RUN_DIR/server.log") 2> >(tee -a "$RUN_DIR/server.log" >&2)

settings="$RUN_DIR/directories.json"
directories=""
server=""
if [[ "$kind" == down ]]; then
  # The AD portal's web server (started before or beside this one, see web-servers.sh) writes its settings there.
  settings="$(dirname "$RUN_DIR")/ad/directories.json"
  kind=ad
  down=1
else
  node node_modules/tsx/dist/cli.mjs scripts/directories.ts --only "$kind" --out "$settings" &
  directories=$!
  down=""
fi
stop() {
  [[ -n "$server" ]] && kill -TERM "$server" 2>/dev/null || true
  [[ -n "$directories" ]] && kill -TERM "$directories" 2>/dev/null || true
  wait 2>/dev/null || true
  exit 0
}
trap stop TERM INT

# The down portal waits as long as Playwright's web server timeout allows (its AD sibling reports its own failure).
while [[ ! -f "$settings" ]]; do
  if [[ -z "$down" ]] && ! kill -0 "$directories" 2>/dev/null; then
    echo "e2e: the $kind directory did not start" >&2
    exit 1
  fi
  sleep 0.5
done

# The portal's environment for this directory, as the harness wrote it.
while IFS= read -r line; do export "${line?}"; done < <(
  node -e '
    const s = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"))[process.argv[2]];
    if (s.status !== "ready") { console.error(`e2e: the ${process.argv[2]} directory is ${s.status}: ${s.reason}`); process.exit(1); }
    for (const [k, v] of Object.entries(s.directory.env)) console.log(`${k}=${v}`);
  ' "$settings" "$kind"
)

if [[ -n "$down" ]]; then
  # Port 9 (discard) on loopback: nothing listens, every connection is refused at once.
  export LDAP_URL="ldaps://127.0.0.1:9" LDAP_TIMEOUT_MS=1000
fi
export DATA_DIR="$RUN_DIR/data" PORT="$port"
echo "e2e: DIRECTORY=$DIRECTORY at $LDAP_URL; embedded database in $DATA_DIR"
npm run --silent db:migrate
# The portal's own server (server/main.mjs, as `npm start`): it tells the app the TCP peer, which /dev/outbox needs.
node server/main.mjs &
server=$!
wait "$server"
