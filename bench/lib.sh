# shellcheck shell=bash
# bench/lib.sh — what the benchmark scripts share; sourced, not run.
#
#   . bench/lib.sh
#   port=$(bench_free_port)
#   bench_wait_http "http://127.0.0.1:$port/healthz"
#   read -r rps p99 < <(bench_wrk URL CONNECTIONS SECONDS [wrk options…])
#   url=$(bench_pg_start DIR)             a throwaway PostgreSQL (scripts/pg-test.sh)
#   db_url=$(bench_pg_database URL NAME)  a fresh database on that server
#   bench_write_section NAME TITLE TEXT   replace the NAME section of docs/performance.md
#
# Load goes to 127.0.0.1 only; every wrk run is bounded in time.

# A TCP port nobody listens on right now.
bench_free_port() {
  node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

# Waits up to 10 s for URL to answer 2xx.
bench_wait_http() {
  for _ in $(seq 1 500); do curl -sf -o /dev/null "$1" && return 0; sleep 0.02; done
  echo "bench: $1 did not come up" >&2
  return 1
}

# bench_wrk URL CONNECTIONS SECONDS [wrk options…] → "rps p99_ms" (one wrk thread: with
# two, wrk takes half of the two cores away from the server it measures). Any non-2xx
# answer fails the run, so an error page is never measured as a fast page.
bench_wrk() {
  local url=$1 conns=$2 seconds=$3 out rps p99 non2xx
  shift 3
  out=$(wrk -t1 -c"$conns" -d"${seconds}s" --latency "$@" "$url")
  rps=$(awk '/^Requests\/sec/ {print $2}' <<<"$out")
  p99=$(awk '$1=="99%" {v=$2; if (v ~ /us$/) {sub(/us/,"",v); v=v/1000} else if (v ~ /ms$/) {sub(/ms/,"",v)} else if (v ~ /s$/) {sub(/s/,"",v); v=v*1000}; print v}' <<<"$out")
  non2xx=$(awk '/Non-2xx/ {print $NF}' <<<"$out")
  if [ -n "$non2xx" ]; then
    echo "bench: $url answered $non2xx non-2xx responses" >&2
    return 1
  fi
  echo "$rps $p99"
}

# bench_pg_start DIR → the URL of a throwaway PostgreSQL cluster in DIR (stop it with
# `bash scripts/pg-test.sh stop DIR`). As root the cluster belongs to the user
# `postgres`, who must be able to reach DIR: mktemp makes its folders private, so the
# parent of DIR is opened for traversal (not listing).
bench_pg_start() {
  local dir=$1
  mkdir -p "$dir"
  chmod o+x "$(dirname "$dir")"
  bash scripts/pg-test.sh start "$dir" "$(bench_free_port)"
}

# bench_pg_database URL NAME → URL of a new database NAME on the same server and user.
bench_pg_database() {
  psql -q "$1" -c "CREATE DATABASE $2" >/dev/null || return 1
  node -e 'const u = new URL(process.argv[1]); u.pathname = "/" + process.argv[2]; console.log(u.toString())' "$1" "$2"
}

# bench_drop_database URL NAME — removes it again (quietly; for cleanup traps).
bench_drop_database() {
  psql -q "$1" -c "DROP DATABASE IF EXISTS $2 WITH (FORCE)" >/dev/null 2>&1 || true
}

# bench_table TARGET_AWK LINES… → Markdown table rows from lines
# "<what> <engine> [k=v…] p99_ms=… rps=…"; TARGET_AWK is an awk expression over
# `what` that gives the target's text.
bench_table() {
  local target=$1 l
  shift
  for l in "$@"; do
    awk '{ what=$1; engine=$2; extra=""; p99=""; rps="";
      for (i = 3; i <= NF; i++) { split($i, kv, "="); if (kv[1]=="p99_ms") p99=kv[2]; else if (kv[1]=="rps") rps=kv[2]; else extra=extra " " $i }
      printf "| %s%s | %s | %s ms | %s | %s |\n", what, extra, engine, p99, rps, '"$target"' }' <<<"$l"
  done
}

# bench_write_section NAME TITLE TEXT — puts TEXT between the markers
# <!-- bench:NAME:start --> and <!-- bench:NAME:end --> of docs/performance.md
# (a new section headed TITLE at the end when they are missing).
bench_write_section() {
  local name=$1 title=$2 text=$3 f=docs/performance.md
  grep -q "bench:$name:start" "$f" ||
    printf '\n## %s\n\n<!-- bench:%s:start -->\n<!-- bench:%s:end -->\n' "$title" "$name" "$name" >>"$f"
  awk -v body="$text" -v start="<!-- bench:$name:start -->" -v end="<!-- bench:$name:end -->" '
    $0 == start {print; print body; skip=1; next}
    $0 == end {skip=0}
    !skip {print}' "$f" >"$f.tmp" && mv "$f.tmp" "$f"
  echo "written to $f"
}
