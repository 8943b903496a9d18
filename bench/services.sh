#!/usr/bin/env bash
# Benchmarks of the Online-Dienste (issue 4), run by `make bench` after bench/run.sh:
#
#  1. Catalogue search over 2,000 services (bench/services-catalogue.sh): p99 < 5 ms.
#  2. The staff inbox over 100,000 applications, first and a deep page
#     (bench/services-inbox.sh): p99 < 20 ms.
#
# Both on SQLite and on a throwaway PostgreSQL started here. Each script prints
# lines "<what> <engine> … p99_ms=… rps=…"; they go to docs/performance.md.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
work=$(mktemp -d /tmp/rathaus-bench-services.XXXXXX)
pgdir="$work/pg"
cleanup() { bash scripts/pg-test.sh stop "$pgdir" >/dev/null 2>&1 || true; rm -rf "$work"; }
trap cleanup EXIT

if url=$(bench_pg_start "$pgdir"); then
  export RATHAUS_BENCH_PG_URL="$url"
else
  echo "bench: PostgreSQL could not be started; the PostgreSQL figures are missing" >&2
fi

lines=()
for script in bench/services-catalogue.sh bench/services-inbox.sh; do
  echo "== $script"
  out=$(bash "$script" | tee /dev/stderr | grep -E ' p99_ms=' || true)
  while IFS= read -r l; do [ -n "$l" ] && lines+=("$l"); done <<< "$out"
done

# A two-page notice as a tagged PDF (build/bench/pdf_bench, from bench/pdf_bench.c).
pdf=$(build/bench/pdf_bench 300 2>&1 | tail -n 1)

sha=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
table=$(bench_table '(what ~ /^catalogue/) ? "p99 < 5 ms" : "p99 < 20 ms"' "${lines[@]+"${lines[@]}"}")
report=$(cat <<TXT
Measured $(date -u +%Y-%m-%d) at commit $sha on $(nproc) cores; wrk on the same machine against the release build (\`bash bench/services.sh\`).

| What | Engine | p99 | req/s | Target |
|---|---|---|---|---|
$table

- $pdf
TXT
)
echo
echo "$report"
bench_write_section services "Online-Dienste" "$report"
