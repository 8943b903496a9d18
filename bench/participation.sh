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
work=$(mktemp -d /tmp/rathaus-bench-participation.XXXXXX)
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
for script in bench/participation-projects.sh bench/participation-processes.sh; do
  [ -f "$script" ] || { echo "bench: $script is missing" >&2; continue; }
  echo "== $script"
  out=$(bash "$script" | tee /dev/stderr | grep -E ' p99_ms=' || true)
  while IFS= read -r l; do [ -n "$l" ] && lines+=("$l"); done <<< "$out"
done

sha=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
table=$(for l in "${lines[@]+"${lines[@]}"}"; do
  echo "$l" | awk '{ what=$1; engine=$2; extra=""; p99=""; rps="";
    for (i = 3; i <= NF; i++) { split($i, kv, "="); if (kv[1]=="p99_ms") p99=kv[2]; else if (kv[1]=="rps") rps=kv[2]; else extra=extra " " $i }
    target = (what ~ /^vorhaben/) ? "p99 < 10 ms" : "p99 < 15 ms";
    printf "| %s%s | %s | %s ms | %s | %s |\n", what, extra, engine, p99, rps, target }'
done)
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
f=docs/performance.md
grep -q 'bench:participation:start' "$f" || printf '\n## Beteiligung\n\n<!-- bench:participation:start -->\n<!-- bench:participation:end -->\n' >> "$f"
awk -v body="$report" '
  /<!-- bench:participation:start -->/ {print; print body; skip=1; next}
  /<!-- bench:participation:end -->/ {skip=0}
  !skip {print}' "$f" > "$f.tmp" && mv "$f.tmp" "$f"
echo "written to docs/performance.md"
