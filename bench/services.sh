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
work=$(mktemp -d /tmp/rathaus-bench-services.XXXXXX)
pgdir="$work/pg"
mkdir -p "$pgdir" # pg-test.sh wants the folder to exist
cleanup() { bash scripts/pg-test.sh stop "$pgdir" >/dev/null 2>&1 || true; rm -rf "$work"; }
trap cleanup EXIT
free_port() { node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }

if url=$(bash scripts/pg-test.sh start "$pgdir" "$(free_port)" 2>/dev/null); then
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
table=$(for l in "${lines[@]+"${lines[@]}"}"; do
  echo "$l" | awk '{ what=$1; engine=$2; extra=""; p99=""; rps="";
    for (i = 3; i <= NF; i++) { split($i, kv, "="); if (kv[1]=="p99_ms") p99=kv[2]; else if (kv[1]=="rps") rps=kv[2]; else extra=extra " " $i }
    target = (what ~ /^catalogue/) ? "p99 < 5 ms" : "p99 < 20 ms";
    printf "| %s%s | %s | %s ms | %s | %s |\n", what, extra, engine, p99, rps, target }'
done)
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
f=docs/performance.md
grep -q 'bench:services:start' "$f" || printf '\n## Online-Dienste\n\n<!-- bench:services:start -->\n<!-- bench:services:end -->\n' >> "$f"
awk -v body="$report" '
  /<!-- bench:services:start -->/ {print; print body; skip=1; next}
  /<!-- bench:services:end -->/ {skip=0}
  !skip {print}' "$f" > "$f.tmp" && mv "$f.tmp" "$f"
echo "written to docs/performance.md"
