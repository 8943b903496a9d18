#!/usr/bin/env bash
# Installs what rathaus needs to build, run and test, on Debian 12 as root.
# Idempotent: packages already present are skipped, so `make run` and `make check`
# can call it every time at almost no cost.
set -euo pipefail
cd "$(dirname "$0")/.."

# Build and run time libraries (the -dev packages pull in the runtime libraries).
build_pkgs=(
  build-essential pkg-config clang
  libh2o-evloop-dev libssl-dev libuv1-dev zlib1g-dev
  libsqlite3-dev libpq-dev libjansson-dev libsodium-dev
  libmd4c-dev libmd4c-html0-dev libcurl4-openssl-dev
  liboath-dev libqrencode-dev libldap-dev
  libstemmer-dev libmagic-dev libxml2-dev libcairo2-dev libpango1.0-dev libical-dev
  fonts-dejavu-core
  libcmocka-dev gettext
)
# Test and benchmark tools: a real PostgreSQL, a real browser, load generators.
test_pkgs=(
  postgresql postgresql-contrib chromium nodejs npm nginx-light wrk curl slapd ldap-utils sqlite3
  poppler-utils libxml2-utils
)

want=("${build_pkgs[@]}")
if [ "${1:-}" = "--test" ]; then want+=("${test_pkgs[@]}"); fi

missing=()
for p in "${want[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done
# node and npm may come from outside Debian on some machines; accept any working ones.
if command -v node >/dev/null && command -v npm >/dev/null; then
  tmp=(); for p in "${missing[@]}"; do case "$p" in nodejs|npm) ;; *) tmp+=("$p");; esac; done
  missing=("${tmp[@]+"${tmp[@]}"}")
fi

if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "deps: missing packages: ${missing[*]} (run as root or install them)" >&2
    exit 1
  fi
  echo "deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Front-end assets and test tools from npm, pinned by package-lock.json.
if [ -f package-lock.json ]; then
  stamp=node_modules/.rathaus-lock
  if [ ! -f "$stamp" ] || ! cmp -s package-lock.json "$stamp"; then
    npm ci --no-audit --no-fund --loglevel=error
    cp package-lock.json "$stamp"
  fi
fi
