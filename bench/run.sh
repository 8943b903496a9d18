#!/usr/bin/env bash
# Benchmarks of the foundation, run by `make bench`; prints the figures and writes them
# to docs/performance.md. Every comparison is measured in the same run on this machine:
#
#  1. A dynamic page (GET /: one query, template, layout) with wrk against the release
#     build, and nginx serving the same bytes as a static file: requests/s, ratio, p99.
#  2. Idle RSS, and RSS growth over one million requests.
#  3. Start-up time of `rathaus serve` with migrations already applied.
#
# Load goes to 127.0.0.1 only; every loop is bounded in requests and time.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
BIN=${RATHAUS_BIN:-build/release/rathaus}
DURATION=${BENCH_SECONDS:-10}
CONNS=64
work=$(mktemp -d /tmp/rathaus-bench.XXXXXX)
chmod 755 "$work" # nginx workers run as an unprivileged user and must read www/
pids=()
cleanup() { for p in "${pids[@]+"${pids[@]}"}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }

port=$(bench_free_port)
db="$work/bench.db"
common=(--listen "127.0.0.1:$port" --database-url "sqlite:$db" --data-dir "$work" --log-level warn --access-log 0)
"$BIN" demo "${common[@]}" >/dev/null
"$BIN" serve "${common[@]}" 2>"$work/server.log" &
srv=$!; pids+=("$srv")
bench_wait_http "http://127.0.0.1:$port/healthz"
sleep 0.5
idle_rss=$(rss_kb "$srv")

# nginx serves the very bytes of the dynamic page as a static file.
mkdir -p "$work/www" "$work/nginx"
curl -s "http://127.0.0.1:$port/" -o "$work/www/index.html"
page_bytes=$(stat -c %s "$work/www/index.html")
nport=$(bench_free_port)
cat > "$work/nginx/nginx.conf" <<CONF
worker_processes auto;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on; tcp_nopush on; keepalive_requests 100000;
  server { listen 127.0.0.1:$nport; root $work/www; location / { } }
}
CONF
nginx -c "$work/nginx/nginx.conf" -p "$work/nginx" -g 'daemon off;' 2>/dev/null &
pids+=($!)
bench_wait_http "http://127.0.0.1:$nport/index.html"

echo "warming up …"
wrk -t1 -c"$CONNS" -d2s "http://127.0.0.1:$port/" >/dev/null
wrk -t1 -c"$CONNS" -d2s "http://127.0.0.1:$nport/index.html" >/dev/null
read -r r_rps r_p99 < <(bench_wrk "http://127.0.0.1:$port/" "$CONNS" "$DURATION")
read -r n_rps n_p99 < <(bench_wrk "http://127.0.0.1:$nport/index.html" "$CONNS" "$DURATION")
ratio=$(awk -v a="$r_rps" -v b="$n_rps" 'BEGIN {printf "%.2f", a / b}')

# RSS growth over one million requests (after the warm-up above).
rss_before=$(rss_kb "$srv")
node bench/million.mjs "http://127.0.0.1:$port/" 1000000 "$CONNS" >"$work/million.txt"
rss_after=$(rss_kb "$srv")
growth=$(awk -v a="$rss_before" -v b="$rss_after" 'BEGIN {printf "%.1f", (b - a) * 100 / a}')
kill "$srv"; wait "$srv" 2>/dev/null || true

# Start-up with migrations applied: from exec to the first answered /healthz.
startup=$(node bench/startup.mjs "$BIN" "${common[@]}")

# Accounts: the cost of argon2id, and of finding the user of a request (issue 3).
argon=$(build/bench/account_bench 2>&1 | tail -n 3 | sed 's/^ *//' | sed '2,$s/^/- /')
sess_sqlite=$(build/bench/session_bench "sqlite:$work/session.db" 20000)
pgdir="$work/pg"
sess_pg="PostgreSQL not available"
if pgurl=$(bench_pg_start "$pgdir"); then
  sess_pg=$(build/bench/session_bench "$pgurl" 20000)
  bash scripts/pg-test.sh stop "$pgdir" >/dev/null 2>&1 || true
fi

sha=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
cpu=$(awk -F: '/model name/ {print $2; exit}' /proc/cpuinfo | sed 's/^ *//')
report=$(cat <<TXT
Measured $(date -u +%Y-%m-%d) at commit $sha on $(nproc) cores ($cpu); wrk -t1 -c$CONNS -d${DURATION}s on the same machine (one load thread: with two, wrk takes half of the two cores away from the servers it measures).

| What | Result | Target |
|---|---|---|
| rathaus GET / (1 query, template, layout; $page_bytes bytes) | $r_rps req/s, p99 $r_p99 ms | ≥ 0.8 × nginx, p99 < 10 ms |
| nginx, the same bytes as a static file | $n_rps req/s, p99 $n_p99 ms | |
| ratio rathaus / nginx | **$ratio** | ≥ 0.8 (aim ≥ 1.0) |
| idle RSS | $((idle_rss / 1024)) MB ($idle_rss kB) | < 30 MB |
| RSS after one million requests | $rss_before kB → $rss_after kB ($growth %) | < 5 % growth |
| start-up with migrations applied (exec → first /healthz answer, median of 5) | $startup ms | < 100 ms |

$(cat "$work/million.txt")

Accounts (\`build/bench/account_bench\`, \`build/bench/session_bench\`; target for the session lookup: under 50 µs):

- $argon
- $sess_sqlite
- $sess_pg
TXT
)
echo
echo "$report"
bench_write_section foundation "Foundation" "$report"
