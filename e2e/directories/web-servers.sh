#!/usr/bin/env bash
# Playwright's one web server for playwright.directories.config.ts: `web-servers.sh AD_PORT LDAP_PORT DOWN_PORT` starts
# the three portals of e2e/directories/web-server.sh (ad, ldap, down) side by side instead of one after the other (as
# separate webServer entries Playwright starts each only once the previous one answers: Samba's provisioning, slapd,
# three migrations and three server starts in a row). Prints "e2e: directory portals ready" once all three answer; if
# one of them exits first, stops the others and exits non-zero. SIGTERM (Playwright's, to the whole process group)
# stops each portal and its directory through their own traps.
set -euo pipefail
cd "$(dirname "$0")/../.."

ad_port="${1:?usage: web-servers.sh AD_PORT LDAP_PORT DOWN_PORT}"
ldap_port="${2:?usage: web-servers.sh AD_PORT LDAP_PORT DOWN_PORT}"
down_port="${3:?usage: web-servers.sh AD_PORT LDAP_PORT DOWN_PORT}"

# The down portal reads the AD portal's settings: never an earlier run's.
rm -f "$(pwd)/${E2E_DIRECTORIES_DIR:-.e2e-directories}/ad/directories.json"

declare -A pids=()
start() {
  BASE_URL="http://localhost:$2" bash e2e/directories/web-server.sh "$1" "$2" &
  pids[$1]=$!
}
start ad "$ad_port"
start ldap "$ldap_port"
start down "$down_port"

stop() {
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap 'stop; exit 0' TERM INT

# Some portal exited early: stop the rest, fail.
died() {
  for kind in "${!pids[@]}"; do
    if ! kill -0 "${pids[$kind]}" 2>/dev/null; then
      echo "e2e: the $kind portal exited before it was ready" >&2
      return 0
    fi
  done
  return 1
}
for port in "$ad_port" "$ldap_port" "$down_port"; do
  until curl -fs -o /dev/null --max-time 5 "http://localhost:$port/nl"; do
    if died; then
      stop
      exit 1
    fi
    sleep 0.5
  done
done
echo "e2e: directory portals ready (ad $ad_port, ldap $ldap_port, down $down_port)"

# Stay while all three run; when one ends by itself, stop the others and report it.
wait -n "${pids[@]}" || true
died || true
stop
exit 1
