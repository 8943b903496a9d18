#!/usr/bin/env bash
# Benchmark of the catalogue search (issue 4: p99 under 5 ms over 2,000 services).
#
#   bash bench/services-catalogue.sh          (run by bench/services.sh, or alone)
#
# Generates a catalogue of 2,000 services from data/services/catalogue.json
# (bench/services-catalogue-gen.mjs), imports it with `rathaus services import`
# into a fresh SQLite database and — when $RATHAUS_BENCH_PG_URL names a
# PostgreSQL server (postgresql://user@host:port/postgres, user with CREATEDB) —
# into a fresh PostgreSQL database, starts the release server on each, and runs
# wrk (-t1 -c8, BENCH_SECONDS s, default 10) on /leistungen/suche?q=reisepass and
# on a two-word query. One line per engine and query:
#
#   catalogue-search <engine> p99_ms=… rps=… query=…
#
# Load goes to 127.0.0.1 only; every run is bounded in time.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
BIN=${RATHAUS_BIN:-build/release/rathaus}
DURATION=${BENCH_SECONDS:-10}
SERVICES=${BENCH_SERVICES:-2000}
CONNS=8
QUERIES=("reisepass" "personalausweis%20beantragen")

[ -x "$BIN" ] || { echo "bench: $BIN is missing (make build/release/rathaus)" >&2; exit 1; }
work=$(mktemp -d /tmp/rathaus-bench-catalogue.XXXXXX)
pids=()
pg_db=""
cleanup() {
  for p in "${pids[@]+"${pids[@]}"}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if [ -n "$pg_db" ]; then bench_drop_database "$RATHAUS_BENCH_PG_URL" "$pg_db"; fi
  rm -rf "$work"
}
trap cleanup EXIT


node bench/services-catalogue-gen.mjs data/services/catalogue.json "$SERVICES" > "$work/catalogue.json"

# bench_engine ENGINE DATABASE_URL — import, serve, measure, stop.
bench_engine() {
  local engine=$1 url=$2 port srv t0 t1
  port=$(bench_free_port)
  local common=(--listen "127.0.0.1:$port" --database-url "$url" --data-dir "$work/$engine" --log-level warn --access-log 0)
  mkdir -p "$work/$engine"
  t0=$(date +%s.%N)
  "$BIN" services import "$work/catalogue.json" "${common[@]}" >/dev/null
  t1=$(date +%s.%N)
  echo "catalogue-import $engine services=$SERVICES seconds=$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.2f", b - a}')" >&2
  "$BIN" serve "${common[@]}" 2>"$work/$engine/server.log" &
  srv=$!; pids+=("$srv")
  bench_wait_http "http://127.0.0.1:$port/healthz"
  local base="http://127.0.0.1:$port/leistungen/suche?q="
  # The page must really hold results, or the figures would measure an empty search.
  local page; page=$(curl -s "${base}reisepass")
  [[ $page == *catalogue-results* ]] || { echo "bench: $engine: no results for reisepass" >&2; return 1; }
  wrk -t1 -c"$CONNS" -d2s "${base}reisepass" >/dev/null # warm-up
  for q in "${QUERIES[@]}"; do
    read -r rps p99 < <(bench_wrk "${base}$q" "$CONNS" "$DURATION")
    echo "catalogue-search $engine p99_ms=$p99 rps=$rps query=$q"
  done
  kill "$srv"; wait "$srv" 2>/dev/null || true
}

bench_engine sqlite "sqlite:$work/bench.db"

if [ -z "${RATHAUS_BENCH_PG_URL:-}" ]; then
  echo "bench: RATHAUS_BENCH_PG_URL is not set; PostgreSQL skipped" >&2
  exit 0
fi
pg_db="rathaus_bench_catalogue_$$"
pg_url=$(bench_pg_database "$RATHAUS_BENCH_PG_URL" "$pg_db")
bench_engine postgres "$pg_url"
