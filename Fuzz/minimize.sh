#!/usr/bin/env bash
# Shrinks Corpus/<target>/ to a small set of inputs that together reach every edge the whole
# folder reaches (libFuzzer's -set_cover_merge=1 on edges only), keeping the seed-* files as they
# are. Run after a long `make fuzz`, before committing the corpus. Usage: Fuzz/minimize.sh target…
set -euo pipefail
cd "$(dirname "$0")"
export PATH="$PATH:/opt/swift/usr/bin"
bin="$(swift build -c release --sanitize=fuzzer -Xswiftc -parse-as-library --scratch-path .build-fuzz --show-bin-path)"
for target in "$@"; do
    corpus="Corpus/$target"
    kept="$(mktemp -d)"
    before=$(find "$corpus" -type f | wc -l)
    SWIFT_BACKTRACE=enable=no nice -n "${FUZZ_JOBS_NICE:-10}" "$bin/$target" -set_cover_merge=1 -use_counters=0 "$kept" "$corpus" >/dev/null 2>&1
    find "$corpus" -type f ! -name 'seed-*' -delete
    find "$kept" -type f ! -name 'seed-*' -exec mv -t "$corpus" {} +
    rm -rf "$kept"
    echo "$target: corpus $before -> $(find "$corpus" -type f | wc -l) files, $(du -sk "$corpus" | cut -f1) KB"
done
