#!/usr/bin/env bash
# Benchmark of participation processes (issue 5: a process with 10,000 proposals
# and 200,000 comments; the proposal list and one proposal with 500 comments
# with p99 under 15 ms on SQLite and PostgreSQL — Decidim needed about 7 s for a
# list of 900 proposals, decidim issue 13701).
#
#   bash bench/participation-processes.sh          (alone, or from bench/run.sh)
#
# Generates the data as SQL (bench/participation-processes-gen.mjs: multi-row
# INSERTs in one transaction), loads it into a freshly migrated SQLite database
# and — when $RATHAUS_BENCH_PG_URL names a PostgreSQL server
# (postgresql://user@host:port/postgres, user with CREATEDB) — into a fresh
# PostgreSQL database, starts the release server on each and runs wrk
# (-t1 -c8 -d BENCH_SECONDS s, default 10, --latency) on
#   list-first  the proposal list sorted by supports, first page (20 with counts)
#   list-deep   the same list at a page 9,000 proposals deep (keyset cursor)
#   proposal    the proposal with 500 threaded comments (first page of 50)
# One line per engine and page:
#
#   proposals <engine> <which> p99_ms=… rps=…
#
# BENCH_PROPOSALS and BENCH_COMMENTS change the size. Load goes to 127.0.0.1
# only; every run is bounded in time; everything made is removed at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
BIN=${RATHAUS_BIN:-build/release/rathaus}
DURATION=${BENCH_SECONDS:-10}
PROPOSALS=${BENCH_PROPOSALS:-10000}
COMMENTS=${BENCH_COMMENTS:-200000}
CONNS=8
PROCESS=900001   # ids of the generated data (see the generator)
HOT=2000001      # the proposal with 500 comments
DEEP=$((PROPOSALS * 9 / 10))

[ -x "$BIN" ] || { echo "bench: $BIN is missing (make build/release/rathaus)" >&2; exit 1; }
command -v wrk >/dev/null || { echo "bench: wrk is missing" >&2; exit 1; }
work=$(mktemp -d /tmp/rathaus-bench-processes.XXXXXX)
pids=()
pg_db=""
cleanup() {
  for p in "${pids[@]+"${pids[@]}"}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if [ -n "$pg_db" ]; then bench_drop_database "$RATHAUS_BENCH_PG_URL" "$pg_db"; fi
  rm -rf "$work"
}
trap cleanup EXIT


t0=$(date +%s.%N)
node bench/participation-processes-gen.mjs "$PROPOSALS" "$COMMENTS" > "$work/data.sql"
echo "processes-generate proposals=$PROPOSALS comments=$COMMENTS seconds=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN {printf "%.2f", b - a}')" >&2

# query ENGINE URL SQL → the first column of the first row
query() {
  if [ "$1" = sqlite ]; then sqlite3 "${2#sqlite:}" "$3"; else psql -qtA "$2" -c "$3"; fi
}

# bench_engine ENGINE DATABASE_URL — migrate, load, serve, measure, stop.
bench_engine() {
  local engine=$1 url=$2 port srv t0 t1
  port=$(bench_free_port)
  local common=(--listen "127.0.0.1:$port" --database-url "$url" --data-dir "$work/$engine" --log-level warn --access-log 0)
  mkdir -p "$work/$engine"
  "$BIN" migrate "${common[@]}" >/dev/null
  t0=$(date +%s.%N)
  if [ "$engine" = sqlite ]; then
    sqlite3 "${url#sqlite:}" < "$work/data.sql"
    sqlite3 "${url#sqlite:}" "ANALYZE"
  else
    psql -q -v ON_ERROR_STOP=1 "$url" -f "$work/data.sql" >/dev/null
    # Explicit ids were written: move the sequences past them, then statistics.
    psql -q -v ON_ERROR_STOP=1 "$url" >/dev/null <<'SQL'
SELECT setval(pg_get_serial_sequence('users', 'id'), (SELECT MAX(id) FROM users));
SELECT setval(pg_get_serial_sequence('participation_processes', 'id'), (SELECT MAX(id) FROM participation_processes));
SELECT setval(pg_get_serial_sequence('proposals', 'id'), (SELECT MAX(id) FROM proposals));
SELECT setval(pg_get_serial_sequence('comments', 'id'), (SELECT MAX(id) FROM comments));
VACUUM ANALYZE;
SQL
  fi
  t1=$(date +%s.%N)
  echo "processes-load $engine seconds=$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.2f", b - a}')" >&2
  # The deep page starts after the proposal DEEP places down the "most supported" order.
  local cursor
  cursor=$(query "$engine" "$url" "SELECT support_count || '.' || id FROM proposals WHERE process_id = $PROCESS ORDER BY support_count DESC, id DESC LIMIT 1 OFFSET $DEEP")
  "$BIN" serve "${common[@]}" 2>"$work/$engine/server.log" &
  srv=$!; pids+=("$srv")
  bench_wait_http "http://127.0.0.1:$port/healthz"
  local base="http://127.0.0.1:$port/beteiligung/verfahren/$PROCESS"
  local -A pages=(
    [list-first]="$base/vorschlaege?sortierung=unterstuetzt"
    [list-deep]="$base/vorschlaege?sortierung=unterstuetzt&nach=$cursor"
    [proposal]="$base/vorschlaege/$HOT"
  )
  # The pages must really hold what is measured, or the figures would mean nothing.
  local page
  page=$(curl -s "${pages[list-first]}")
  [ "$(grep -o 'class="kern-card"' <<<"$page" | wc -l)" -eq 20 ] || { echo "bench: $engine: the first page lacks 20 proposals" >&2; return 1; }
  page=$(curl -s "${pages[list-deep]}")
  [ "$(grep -o 'class="kern-card"' <<<"$page" | wc -l)" -eq 20 ] || { echo "bench: $engine: the deep page lacks 20 proposals" >&2; return 1; }
  page=$(curl -s "${pages[proposal]}")
  [ "$(grep -o '<li id="kommentar-' <<<"$page" | wc -l)" -eq 50 ] || { echo "bench: $engine: the proposal page lacks 50 comments" >&2; return 1; }
  [[ $page == *"Kommentare (500)"* ]] || { echo "bench: $engine: the proposal does not have 500 comments" >&2; return 1; }
  wrk -t1 -c"$CONNS" -d2s "${pages[list-first]}" >/dev/null # warm-up
  for which in list-first list-deep proposal; do
    read -r rps p99 < <(bench_wrk "${pages[$which]}" "$CONNS" "$DURATION")
    echo "proposals $engine $which p99_ms=$p99 rps=$rps"
  done
  kill "$srv"; wait "$srv" 2>/dev/null || true
}

bench_engine sqlite "sqlite:$work/bench.db"

if [ -z "${RATHAUS_BENCH_PG_URL:-}" ]; then
  echo "bench: RATHAUS_BENCH_PG_URL is not set; PostgreSQL skipped" >&2
  exit 0
fi
pg_db="rathaus_bench_processes_$$"
pg_url=$(bench_pg_database "$RATHAUS_BENCH_PG_URL" "$pg_db")
bench_engine postgres "$pg_url"
