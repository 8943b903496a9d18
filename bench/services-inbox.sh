#!/usr/bin/env bash
# The staff inbox over 100,000 submitted applications (issue 4: p99 < 20 ms on
# both databases, first page and a deep page). Run by bench/services.sh.
#
# For SQLite and, when RATHAUS_BENCH_PG_URL names a PostgreSQL server, for
# PostgreSQL: a fresh database with `rathaus demo` (units, the caseworker
# buergeramt@rathaus.test), then bench/services-inbox-gen.mjs fills 100,000
# applications over three units and nine services in one transaction; the
# query plans of the inbox are printed (they must use the indexes); the
# release server starts, curl signs in as the caseworker, and wrk loads
#   first   /verwaltung/vorgaenge                      the first page, newest first
#   deep    /verwaltung/vorgaenge?nach=T.ID            a keyset cursor ~200 cases from the oldest
#   status  /verwaltung/vorgaenge?status=in_pruefung   a status filter
# Each prints one line: inbox <engine> <which> p99_ms=… rps=…
#
#   RATHAUS_BENCH_PG_URL=postgresql://rathaus@127.0.0.1:5433/postgres bash bench/services-inbox.sh
#
# Settings: BENCH_SECONDS (10), BENCH_INBOX_ROWS (100000), RATHAUS_BIN
# (build/release/rathaus). Load goes to 127.0.0.1 only.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
BIN=${RATHAUS_BIN:-build/release/rathaus}
DURATION=${BENCH_SECONDS:-10}
ROWS=${BENCH_INBOX_ROWS:-100000}
LOGIN=buergeramt@rathaus.test
PASSWORD=Rathaus-Demo-2026
[ -x "$BIN" ] || { echo "bench: $BIN is missing (make build/release/rathaus)" >&2; exit 1; }
work=$(mktemp -d /tmp/rathaus-bench-inbox.XXXXXX)
pids=()
pgdb=""
cleanup() {
  for p in "${pids[@]+"${pids[@]}"}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if [ -n "$pgdb" ]; then bench_drop_database "$RATHAUS_BENCH_PG_URL" "$pgdb"; fi
  rm -rf "$work"
}
trap cleanup EXIT


# The one-unit inbox queries as cases_inbox.c sends them (first page, deep
# page, status filter, the counts of the chips), for the plans.
unit_sql="(SELECT id FROM units WHERE slug = 'buergeramt')"
select_sql="SELECT a.id, a.reference, a.status, a.summary, a.submitted_at, s.name, COALESCE(u.display_name, '') FROM applications a JOIN services s ON s.id = a.service_id LEFT JOIN users u ON u.id = a.assigned_to WHERE a.status <> 'entwurf' AND a.unit_id = $unit_sql"
filters_sql="AND (a.service_id = 0 OR 0 = 0) AND (a.assigned_to = 0 OR 0 = 0) AND (a.resubmit_at <= 0 OR 0 = 0) ORDER BY a.submitted_at DESC, a.id DESC LIMIT 51"

run_engine() {
  local engine=$1 url=$2 sql_shell=$3
  echo "== $engine: demo data and $ROWS applications"
  "$BIN" demo --database-url "$url" --data-dir "$work" >/dev/null
  local t0=$SECONDS
  node bench/services-inbox-gen.mjs "$ROWS" buergeramt,bauamt,hauptamt > "$work/inbox.sql"
  $sql_shell < "$work/inbox.sql" >/dev/null
  # Measure the steady state, not the aftermath of the bulk load: statistics and
  # visibility map up to date, dirty pages written (PostgreSQL), the WAL folded
  # into the database file (SQLite).
  if [ "$engine" = postgres ]; then
    $sql_shell <<< 'VACUUM ANALYZE applications;' >/dev/null
    $sql_shell <<< 'CHECKPOINT;' >/dev/null || echo "bench: CHECKPOINT refused (not a superuser); figures may carry the load's writes" >&2
  else
    $sql_shell <<< 'PRAGMA wal_checkpoint(TRUNCATE);' >/dev/null
  fi
  echo "loaded in $((SECONDS - t0)) s"

  local cursor
  cursor=$($sql_shell <<< "SELECT submitted_at || '.' || id FROM applications WHERE unit_id = $unit_sql AND status <> 'entwurf' ORDER BY submitted_at, id LIMIT 1 OFFSET 200;" | tr -d ' ' | grep -E '^[0-9]+\.[0-9]+$' | head -1)
  [ -n "$cursor" ] || { echo "bench: no deep cursor" >&2; return 1; }
  local at=${cursor%.*} id=${cursor#*.}

  echo "-- plans ($engine)"
  local explain="EXPLAIN"
  [ "$engine" = sqlite ] && explain="EXPLAIN QUERY PLAN"
  for where in \
    "AND (a.submitted_at, a.id) < (9223372036854775807, 9223372036854775807) AND (a.submitted_at, a.id) > (-1, -1)" \
    "AND (a.submitted_at, a.id) < ($at, $id) AND (a.submitted_at, a.id) > (-1, -1)" \
    "AND a.status = 'in_pruefung' AND (a.submitted_at, a.id) < (9223372036854775807, 9223372036854775807) AND (a.submitted_at, a.id) > (-1, -1)"; do
    $sql_shell <<< "$explain $select_sql $where $filters_sql;" | sed 's/^/   /'
  done
  $sql_shell <<< "$explain SELECT status, COUNT(*) FROM applications WHERE unit_id = $unit_sql AND status IN ('eingegangen', 'in_pruefung', 'rueckfrage', 'in_herstellung', 'abholbereit', 'entschieden', '', '') GROUP BY status;" | sed 's/^/   /'

  local port
  port=$(bench_free_port)
  "$BIN" serve --listen "127.0.0.1:$port" --database-url "$url" --data-dir "$work" --log-level warn --access-log 0 \
    2>"$work/server-$engine.log" &
  local srv=$!
  pids+=("$srv")
  local base="http://127.0.0.1:$port"
  bench_wait_http "$base/healthz"

  # Sign in as a browser does: the CSRF cookie and token from the login page, then the form.
  local jar="$work/cookies-$engine"
  rm -f "$jar"
  curl -sf -c "$jar" -b "$jar" -o /dev/null "$base/konto/anmelden"
  local csrf
  csrf=$(awk '$6 ~ /csrf$/ {print $7}' "$jar" | tail -1)
  local status
  status=$(curl -s -o /dev/null -w '%{http_code}' -c "$jar" -b "$jar" \
    --data-urlencode "_csrf=$csrf" --data-urlencode "login=$LOGIN" --data-urlencode "passwort=$PASSWORD" \
    "$base/konto/anmelden")
  [ "$status" = 303 ] || { echo "bench: sign-in answered $status" >&2; return 1; }
  cookie=$(awk 'NF >= 7 && ($1 !~ /^#/ || $1 ~ /^#HttpOnly_/) {printf "%s%s=%s", sep, $6, $7; sep="; "}' "$jar")

  local first="$base/verwaltung/vorgaenge" deep="$base/verwaltung/vorgaenge?nach=$cursor"
  local filtered="$base/verwaltung/vorgaenge?status=in_pruefung"
  for u in "$first" "$deep" "$filtered"; do
    local page
    page=$(curl -s -H "Cookie: $cookie" -w '\n%{http_code}' "$u")
    [ "$(echo "$page" | tail -1)" = 200 ] || { echo "bench: $u answered $(echo "$page" | tail -1)" >&2; return 1; }
    echo "$page" | grep -q 'BENCH-' || { echo "bench: $u lists no case" >&2; return 1; }
  done
  for u in "$first" "$deep" "$filtered"; do wrk -t1 -c4 -d1s -H "Cookie: $cookie" "$u" >/dev/null; done # warm-up
  local which u rps p99
  for which in first deep status; do
    case $which in first) u=$first ;; deep) u=$deep ;; status) u=$filtered ;; esac
    read -r rps p99 < <(bench_wrk "$u" 4 "$DURATION" -H "Cookie: $cookie")
    echo "inbox $engine $which p99_ms=$p99 rps=$rps"
  done
  kill "$srv"
  wait "$srv" 2>/dev/null || true
}

run_engine sqlite "sqlite:$work/inbox.db" "sqlite3 -batch $work/inbox.db"

if [ -n "${RATHAUS_BENCH_PG_URL:-}" ]; then
  pgdb="rathaus_bench_inbox_$$"
  pgurl=$(bench_pg_database "$RATHAUS_BENCH_PG_URL" "$pgdb")
  run_engine postgres "$pgurl" "psql -X -q -A -t -v ON_ERROR_STOP=1 $pgurl"
else
  echo "inbox postgres: skipped, RATHAUS_BENCH_PG_URL is not set"
fi
