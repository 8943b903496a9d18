#!/usr/bin/env bash
# Benchmark of the Vorhabenliste (issue 5: p99 under 10 ms with 2,000 entries and filters).
#
#   bash bench/participation-projects.sh
#
# For SQLite and — when $RATHAUS_BENCH_PG_URL names a PostgreSQL server
# (postgresql://user@host:port/postgres, user with CREATEDB) — a fresh PostgreSQL
# database: migrates, makes a staff account with the role "beteiligung"
# (`rathaus user add`), starts the release server, fills it with BENCH_ENTRIES
# (default 2,000) generated entries through the staff form
# (bench/participation-projects-gen.mjs), and runs wrk (-t1 -c8 --latency,
# BENCH_SECONDS s, default 10) on the list with two filters and on a search.
# One line per engine and page:
#
#   vorhabenliste <engine> <which> p99_ms=… rps=…
#
# Load goes to 127.0.0.1 only; every run is bounded in time.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
BIN=${RATHAUS_BIN:-build/release/rathaus}
DURATION=${BENCH_SECONDS:-10}
ENTRIES=${BENCH_ENTRIES:-2000}
CONNS=8
PASSWORD="Lasttest der Vorhabenliste $$"
# which → the page measured
declare -A PAGES=(
  [filter]="/beteiligung/vorhaben?bezirk=mombach&status=in_planung"
  [search]="/beteiligung/vorhaben?q=radweg"
)

[ -x "$BIN" ] || { echo "bench: $BIN is missing (make build/release/rathaus)" >&2; exit 1; }
work=$(mktemp -d /tmp/rathaus-bench-projects.XXXXXX)
pids=()
pg_db=""
cleanup() {
  for p in "${pids[@]+"${pids[@]}"}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if [ -n "$pg_db" ]; then bench_drop_database "$RATHAUS_BENCH_PG_URL" "$pg_db"; fi
  rm -rf "$work"
}
trap cleanup EXIT


# bench_engine ENGINE DATABASE_URL — migrate, fill, serve, measure, stop.
bench_engine() {
  local engine=$1 url=$2 port srv t0 t1
  port=$(bench_free_port)
  local common=(--database-url "$url" --data-dir "$work/$engine" --log-level warn)
  mkdir -p "$work/$engine"
  "$BIN" migrate "${common[@]}" >/dev/null
  local email="lasttest-$engine@rathaus.test"
  "$BIN" unit add lasttest "Amt für Lasttests" "${common[@]}" >/dev/null
  printf '%s\n' "$PASSWORD" | "$BIN" user add --email "$email" --name "Lasttest" --role beteiligung --password-stdin "${common[@]}" >/dev/null
  "$BIN" serve --listen "127.0.0.1:$port" --access-log 0 "${common[@]}" 2>"$work/$engine/server.log" &
  srv=$!; pids+=("$srv")
  bench_wait_http "http://127.0.0.1:$port/healthz"
  t0=$(date +%s.%N)
  node bench/participation-projects-gen.mjs "http://127.0.0.1:$port" "$email" "$PASSWORD" "$ENTRIES"
  t1=$(date +%s.%N)
  echo "vorhabenliste-fill $engine entries=$ENTRIES seconds=$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.1f", b - a}')" >&2
  local base="http://127.0.0.1:$port"
  for which in filter search; do
    # The page must really hold entries, or the figures would measure an empty list.
    # (Read whole first: grep -q stopping early would make curl fail the pipeline.)
    local page; page=$(curl -s "$base${PAGES[$which]}")
    grep -q 'participation-results' <<<"$page" || { echo "bench: $engine: no entries on ${PAGES[$which]}" >&2; return 1; }
  done
  wrk -t1 -c"$CONNS" -d2s "$base${PAGES[filter]}" >/dev/null # warm-up
  for which in filter search; do
    read -r rps p99 < <(bench_wrk "$base${PAGES[$which]}" "$CONNS" "$DURATION")
    echo "vorhabenliste $engine $which p99_ms=$p99 rps=$rps"
  done
  kill "$srv"; wait "$srv" 2>/dev/null || true
}

bench_engine sqlite "sqlite:$work/bench.db"

if [ -z "${RATHAUS_BENCH_PG_URL:-}" ]; then
  echo "bench: RATHAUS_BENCH_PG_URL is not set; PostgreSQL skipped" >&2
  exit 0
fi
pg_db="rathaus_bench_projects_$$"
pg_url=$(bench_pg_database "$RATHAUS_BENCH_PG_URL" "$pg_db")
bench_engine postgres "$pg_url"
