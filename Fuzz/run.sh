#!/usr/bin/env bash
# Builds the libFuzzer targets and runs each for FUZZ_SECONDS (default 120), one after another.
# Usage: Fuzz/run.sh [target…]   (default: every target in Corpus/)
# New inputs that reach new code are added to Corpus/<target>/; a crashing input is left in
# Findings/<target>/ and the script exits non-zero. Per target it prints the inputs tried, the
# corpus size before and after, and the crashes found. FUZZ_JOBS_NICE (default 10) keeps the
# fuzzer polite on a shared machine; FUZZ_FLAGS passes extra libFuzzer flags.
set -uo pipefail
cd "$(dirname "$0")"
export PATH="$PATH:/opt/swift/usr/bin"
SECONDS_PER_TARGET="${FUZZ_SECONDS:-120}"
NICE="${FUZZ_JOBS_NICE:-10}"
SCRATCH=.build-fuzz

targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    for dir in Corpus/*/; do targets+=("$(basename "$dir")"); done
fi

# libFuzzer supplies main; -parse-as-library lets each target's file hold only the callback.
swift build -c release --sanitize=fuzzer -Xswiftc -parse-as-library --scratch-path "$SCRATCH" || exit 2
bin="$(swift build -c release --sanitize=fuzzer -Xswiftc -parse-as-library --scratch-path "$SCRATCH" --show-bin-path)"

status=0
for target in "${targets[@]}"; do
    corpus="Corpus/$target"
    findings="Findings/$target"
    mkdir -p "$corpus" "$findings"
    before=$(find "$corpus" -type f | wc -l)
    crashes_before=$(find "$findings" -type f ! -name '*.log.txt' | wc -l)
    log="$findings/last-run.log.txt"
    # The Swift runtime's own backtracer would hold the process after a trap; libFuzzer's handler
    # must see it to save the input.
    SWIFT_BACKTRACE=enable=no nice -n "$NICE" "$bin/$target" "$corpus" \
        -max_total_time="$SECONDS_PER_TARGET" -print_final_stats=1 -rss_limit_mb=1536 -timeout=10 \
        -artifact_prefix="$findings/" ${FUZZ_FLAGS:-} >"$log" 2>&1
    code=$?
    after=$(find "$corpus" -type f | wc -l)
    crashes=$(( $(find "$findings" -type f ! -name '*.log.txt' | wc -l) - crashes_before ))
    execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
    printf '%-22s execs %-10s corpus %s -> %s   crashes %s\n' "$target" "${execs:-?}" "$before" "$after" "$crashes"
    if [ "$code" -ne 0 ] || [ "$crashes" -gt 0 ]; then
        echo "  $target failed (exit $code); input and log in Fuzz/$findings/:"
        grep -m3 -E 'Fatal error|ERROR: libFuzzer|SUMMARY' "$log" | sed 's/^/    /'
        status=1
    fi
done
exit $status
