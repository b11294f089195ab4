#!/usr/bin/env bash
# The system packages `npm test` needs, checked before anything else runs (scripts/test.sh calls this first):
# - Chromium for Playwright: CHROMIUM_PATH, or Debian's /usr/bin/chromium (package chromium);
# - without root, under CI=true or TOEGANG_DIRECTORIES=required, the directory tests' Samba and slapd, up front: as root
#   the directory tests install those themselves while the unit tests run; otherwise they fail on them later, naming
#   them (tests/directories/packages.ts). They are never skipped.
# As root with apt-get, whatever is missing is installed; otherwise the script stops at once with one line naming what
# to install. One `need` line per package; suites with other system needs add theirs here.
set -euo pipefail

missing_programs=()
missing_packages=()
# need <program: a path, or a name looked up on PATH and the sbin folders> <Debian packages…>
need() {
  local program=$1 package
  shift
  if [[ $program == */* ]]; then
    [[ -x $program ]] && return 0
  else
    PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin" command -v "$program" >/dev/null 2>&1 && return 0
  fi
  missing_programs+=("$program")
  for package in "$@"; do
    [[ " ${missing_packages[*]} " == *" $package "* ]] || missing_packages+=("$package")
  done
}
check_all() {
  missing_programs=()
  missing_packages=()
  need "${CHROMIUM_PATH:-/usr/bin/chromium}" chromium
  # The reverse-proxy spec (e2e/server/nginx.spec.ts) puts the portal behind a real nginx.
  need nginx nginx-light
  if [[ ${EUID:-$(id -u)} -ne 0 && ("${CI:-}" == true || "${TOEGANG_DIRECTORIES:-}" == required) ]]; then
    # The same programs and packages as tests/directories/packages.ts.
    need samba samba winbind ldb-tools
    need samba-tool samba winbind ldb-tools
    need slapd slapd ldap-utils openssl
    need slapadd slapd ldap-utils openssl
    need slappasswd slapd ldap-utils openssl
    need openssl slapd ldap-utils openssl
  fi
}

check_all
((${#missing_programs[@]} == 0)) && exit 0

programs=$(printf '%s, ' "${missing_programs[@]}")
programs=${programs%, }
packages="${missing_packages[*]}"
if [[ ${EUID:-$(id -u)} -ne 0 ]] || ! command -v apt-get >/dev/null 2>&1; then
  hint=""
  [[ -n "${CHROMIUM_PATH:-}" && " $packages " == *" chromium "* ]] && hint=", or point CHROMIUM_PATH at a Chromium"
  echo "npm test: missing ${programs}; install as root: apt-get install -y ${packages}${hint}" >&2
  exit 1
fi

echo "npm test: missing ${programs}; installing ${packages} with apt-get …"
export DEBIAN_FRONTEND=noninteractive
# The packages' own services must not start (slapd's would take port 389): policy-rc.d says no while we install.
own_policy=false
if [[ ! -e /usr/sbin/policy-rc.d ]]; then
  printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
  chmod 755 /usr/sbin/policy-rc.d
  own_policy=true
fi
trap '[[ $own_policy == true ]] && rm -f /usr/sbin/policy-rc.d' EXIT
apt=(apt-get -o DPkg::Lock::Timeout=300 -y -q)
# shellcheck disable=SC2086
if ! "${apt[@]}" install $packages; then
  "${apt[@]}" update
  # shellcheck disable=SC2086
  "${apt[@]}" install $packages
fi

check_all
if ((${#missing_programs[@]})); then
  programs=$(printf '%s, ' "${missing_programs[@]}")
  echo "npm test: still missing after apt-get install ${packages}: ${programs%, }" >&2
  exit 1
fi
