#!/usr/bin/env bash
# fuzz.sh — runs every built fuzz target on a copy of its seed corpus.
#
# For each build/fuzz/bin/fuzz_NAME the seeds in fuzz/corpus/NAME/ are copied to
# a temporary directory, because libFuzzer writes the new inputs it finds into
# its corpus directory and the committed corpus must stay small and unchanged.
# Each target runs for $FUZZ_SECONDS seconds (default 20) with -max_len=65536
# -timeout=5. Crashing inputs go to build/fuzz/artifacts/NAME/, full logs to
# build/fuzz/logs/NAME.log. One line per target, then "N passed, N failed";
# the exit status is non-zero when any target failed or none was built.
#
#   make fuzz-build && FUZZ_SECONDS=60 bash tests/fuzz.sh
set -u

cd "$(dirname "$0")/.." || exit 2

seconds=${FUZZ_SECONDS:-20}
if ! [[ $seconds =~ ^[1-9][0-9]*$ ]]; then
    echo "fuzz.sh: FUZZ_SECONDS must be a positive whole number, not '$seconds'" >&2
    exit 2
fi

bin_dir=build/fuzz/bin
log_dir=build/fuzz/logs
artifact_root=build/fuzz/artifacts
mkdir -p "$log_dir" "$artifact_root"

# The fuzz build does not set -fno-sanitize-recover, so without this UBSan
# would only print its report and the run would still count as clean.
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}

work=$(mktemp -d "${TMPDIR:-/tmp}/rathaus-fuzz.XXXXXX") || exit 2
trap 'rm -rf "$work"' EXIT

shopt -s nullglob
targets=("$bin_dir"/fuzz_*)
if [ ${#targets[@]} -eq 0 ]; then
    echo "fuzz.sh: no fuzz targets in $bin_dir (run: make fuzz-build)" >&2
    echo "0 passed, 0 failed"
    exit 1
fi

passed=0
failed=0
for bin in "${targets[@]}"; do
    [ -x "$bin" ] || continue
    target=$(basename "$bin")
    name=${target#fuzz_}
    seeds=fuzz/corpus/$name
    corpus=$work/$name
    log=$log_dir/$target.log
    artifacts=$artifact_root/$target/
    mkdir -p "$corpus" "$artifacts"
    note=""
    if [ -d "$seeds" ]; then
        cp -R "$seeds"/. "$corpus"/
    else
        note=" (no seed corpus in $seeds)"
    fi

    # libFuzzer stops itself after -max_total_time; the outer timeout only
    # guards against a target that hangs outside an input (e.g. at startup).
    timeout -k 10 $((seconds + 120)) "$bin" \
        -max_total_time="$seconds" -max_len=65536 -timeout=5 \
        -artifact_prefix="$artifacts" "$corpus" >"$log" 2>&1
    rc=$?

    runs=$(sed -n 's/^Done \([0-9]*\) runs in \([0-9]*\) second.*/\1 runs in \2 s/p' "$log" | tail -n 1)
    if [ $rc -eq 0 ] && [ -n "$runs" ] && ! grep -q 'runtime error:' "$log"; then
        echo "$target: $runs, ok$note"
        passed=$((passed + 1))
    else
        input=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -n 1)
        reason="exit status $rc"
        [ $rc -eq 124 ] && reason="hung"
        grep -q 'runtime error:' "$log" && reason="undefined behaviour"
        echo "$target: FAILED ($reason)${input:+, input $input}, log $log$note"
        [ -n "$input" ] && echo "    reproduce: $bin $input"
        failed=$((failed + 1))
    fi
done

echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
