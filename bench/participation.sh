#!/usr/bin/env bash
# Benchmarks of the Beteiligung (issue 5), run by `make bench` after bench/services.sh:
#
#  1. The Vorhabenliste with 2,000 entries, filtered and searched
#     (bench/participation-projects.sh): p99 < 10 ms.
#  2. A process with 10,000 proposals and 200,000 comments: the proposal list and one
#     proposal with 500 comments (bench/participation-processes.sh): p99 < 15 ms.
#
# Both on SQLite and on a throwaway PostgreSQL started here. Each script prints
# lines "<what> <engine> … p99_ms=… rps=…"; they go to docs/performance.md.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
work=$(mktemp -d /tmp/rathaus-bench-participation.XXXXXX)
pgdir="$work/pg"
cleanup() { bash scripts/pg-test.sh stop "$pgdir" >/dev/null 2>&1 || true; rm -rf "$work"; }
trap cleanup EXIT

if url=$(bench_pg_start "$pgdir"); then
  export RATHAUS_BENCH_PG_URL="$url"
else
  echo "bench: PostgreSQL could not be started; the PostgreSQL figures are missing" >&2
fi

lines=()
for script in bench/participation-projects.sh bench/participation-processes.sh; do
  [ -f "$script" ] || { echo "bench: $script is missing" >&2; continue; }
  echo "== $script"
  out=$(bash "$script" | tee /dev/stderr | grep -E ' p99_ms=' || true)
  while IFS= read -r l; do [ -n "$l" ] && lines+=("$l"); done <<< "$out"
done

sha=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
table=$(bench_table '(what ~ /^vorhaben/) ? "p99 < 10 ms" : "p99 < 15 ms"' "${lines[@]+"${lines[@]}"}")
report=$(cat <<TXT
Measured $(date -u +%Y-%m-%d) at commit $sha on $(nproc) cores; wrk on the same machine against the release build (\`bash bench/participation.sh\`).

| What | Engine | p99 | req/s | Target |
|---|---|---|---|---|
$table

For comparison: Decidim needed about 7 s for a list of 900 proposals (decidim issue 13701).
TXT
)
echo
echo "$report"
bench_write_section participation "Beteiligung" "$report"
