#!/usr/bin/env bash
# Runs every test suite of rathaus and ends with one line "N passed, N failed".
#
#   tests/run-all.sh            everything (what `make check` runs)
#   tests/run-all.sh unit       only the cmocka unit tests
#
# A throwaway PostgreSQL cluster is started for the run (scripts/pg-test.sh) and
# removed afterwards, so every database test runs on SQLite and on PostgreSQL.
# The test build carries ASan and UBSan; any sanitizer report fails its test.
set -uo pipefail
cd "$(dirname "$0")/.."
what=${1:-all}

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:halt_on_error=1:exitcode=86}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
# h2o keeps per-thread recycle bins it cannot empty; see the file for why each line is there.
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$PWD/tests/lsan.supp:print_suppressions=0}
export RATHAUS_BIN=${RATHAUS_BIN:-build/debug/rathaus}

passed=0
failed=0
failures=()
note() { printf '\n=== %s\n' "$*"; }

pgdir=""
ldapdir=""
cleanup() {
  if [ -n "$pgdir" ]; then bash scripts/pg-test.sh stop "$pgdir" >/dev/null 2>&1 || true; fi
  if [ -n "$ldapdir" ]; then bash scripts/ldap-test.sh stop "$ldapdir" >/dev/null 2>&1 || true; fi
}
trap cleanup EXIT

# A free TCP port on loopback.
free_port() { node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }

if [ -z "${RATHAUS_TEST_PG_URL:-}" ]; then
  pgdir=$(mktemp -d /tmp/rathaus-pg.XXXXXX)
  port=$(free_port)
  if url=$(bash scripts/pg-test.sh start "$pgdir" "$port"); then
    export RATHAUS_TEST_PG_URL="$url"
    echo "PostgreSQL for tests: $RATHAUS_TEST_PG_URL"
  else
    echo "run-all: could not start PostgreSQL; database tests cannot run on both engines" >&2
    failed=$((failed + 1)); failures+=("postgresql-start")
  fi
fi

# A throwaway OpenLDAP directory for staff login (tests/ldap/seed.ldif).
if [ -z "${RATHAUS_TEST_LDAP_URL:-}" ]; then
  ldapdir=$(mktemp -d /tmp/rathaus-ldap.XXXXXX)
  port=$(free_port)
  if url=$(bash scripts/ldap-test.sh start "$ldapdir" "$port"); then
    export RATHAUS_TEST_LDAP_URL="$url"
    echo "OpenLDAP for tests: $RATHAUS_TEST_LDAP_URL"
  else
    echo "run-all: could not start slapd; LDAP login tests cannot run" >&2
    failed=$((failed + 1)); failures+=("slapd-start")
  fi
fi

run_unit() {
  note "unit tests (cmocka, ASan/UBSan, SQLite and PostgreSQL)"
  for t in build/debug/unit/test_*; do
    [ -x "$t" ] || continue
    name=$(basename "$t")
    out=$("$t" 2>&1); rc=$?
    p=$(printf '%s\n' "$out" | sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' | awk '{s+=$1} END {print s+0}')
    f=$(printf '%s\n' "$out" | sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' | awk '{s+=$1} END {print s+0}')
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi # a crash or sanitizer abort
    if printf '%s\n' "$out" | grep -qE 'AddressSanitizer|LeakSanitizer|runtime error:'; then f=$((f + 1)); fi
    passed=$((passed + p)); failed=$((failed + f))
    if [ "$f" -gt 0 ]; then failures+=("$name"); printf '%s\n' "$out" | tail -n 40; fi
    printf '%-28s %4d passed, %d failed\n' "$name" "$p" "$f"
  done
}

run_checks() {
  note "translations"
  if bash scripts/po-check.sh en; then passed=$((passed + 1)); else failed=$((failed + 1)); failures+=("po-check"); fi
}

run_node() {
  note "HTTP and browser tests (node --test, real server, SQLite and PostgreSQL, Chromium + axe-core)"
  files=$(ls tests/http/*.test.mjs tests/browser/*.test.mjs 2>/dev/null)
  if [ -z "$files" ]; then echo "no node tests found"; failed=$((failed + 1)); failures+=("node-tests-missing"); return; fi
  out=$(node --test --test-concurrency=1 --test-reporter=spec --test-reporter-destination=stdout \
        --test-reporter=tap --test-reporter-destination=/tmp/rathaus-node-tap.txt $files 2>&1); rc=$?
  printf '%s\n' "$out" | tail -n 200
  p=$(sed -n 's/^# pass \([0-9]*\)/\1/p' /tmp/rathaus-node-tap.txt | tail -n 1)
  f=$(sed -n 's/^# fail \([0-9]*\)/\1/p' /tmp/rathaus-node-tap.txt | tail -n 1)
  p=${p:-0}; f=${f:-0}
  if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
  passed=$((passed + p)); failed=$((failed + f))
  [ "$f" -gt 0 ] && failures+=("node-tests")
  echo "node tests: $p passed, $f failed"
}

run_fuzz() {
  note "fuzz targets (libFuzzer, ${FUZZ_SECONDS:-20} s each)"
  out=$(FUZZ_SECONDS=${FUZZ_SECONDS:-20} bash tests/fuzz.sh 2>&1); rc=$?
  printf '%s\n' "$out" | grep -v '^[0-9]* passed, [0-9]* failed$'
  line=$(printf '%s\n' "$out" | grep -E '^[0-9]+ passed, [0-9]+ failed$' | tail -n 1)
  p=$(echo "$line" | cut -d' ' -f1); f=$(echo "$line" | cut -d' ' -f3)
  p=${p:-0}; f=${f:-0}
  if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
  passed=$((passed + p)); failed=$((failed + f))
  [ "$f" -gt 0 ] && failures+=("fuzz")
}

case "$what" in
  unit) run_unit ;;
  node) run_node ;;
  fuzz) run_fuzz ;;
  all) run_unit; run_checks; run_node; run_fuzz ;;
  *) echo "usage: tests/run-all.sh [all|unit|node|fuzz]" >&2; exit 2 ;;
esac

echo
if [ "${#failures[@]}" -gt 0 ]; then echo "failing: ${failures[*]}"; fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
