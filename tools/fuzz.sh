#!/usr/bin/env bash
# Fuzzes one reader with libFuzzer (the toolchain's -sanitize=fuzzer) and
# AddressSanitizer.
#
#   tools/fuzz.sh TARGET [SECONDS] [libFuzzer options...]
#
# TARGET is jsonl, records, segment, xes, csv or state (see tools/evstore-fuzz).
# The kept inputs in Tests/LogImportTests/Fixtures/fuzz/TARGET seed the run
# (the tests replay them); new coverage goes to .build/fuzz-corpus/TARGET and
# crashing inputs to .build/fuzz-crashes/TARGET. Copy a crashing input into
# the kept folder once its defect is fixed, so that it stays fixed.
set -euo pipefail

target=${1:?usage: tools/fuzz.sh jsonl|records|segment|xes|csv|state [SECONDS] [options...]}
seconds=${2:-60}
shift $(( $# >= 2 ? 2 : 1 ))
root=$(cd "$(dirname "$0")/.." && pwd)
build=$root/.build/fuzz-build
kept=$root/Tests/LogImportTests/Fixtures/fuzz/$target
corpus=$root/.build/fuzz-corpus/$target
crashes=$root/.build/fuzz-crashes/$target

[ -d "$kept" ] || { echo "fuzz.sh: no target $target (no $kept)" >&2; exit 2; }
mkdir -p "$corpus" "$crashes"
swift build --package-path "$root" --scratch-path "$build" --product evstore-fuzz \
    -Xswiftc -sanitize=fuzzer,address -Xswiftc -DFUZZING 2>&1 \
    | grep -v "Cannot export local symbol" || true
binary=$build/debug/evstore-fuzz
[ -x "$binary" ] || { echo "fuzz.sh: the fuzzer did not build" >&2; exit 1; }

# Leak checking is off: the Swift runtime's one-time caches look like leaks.
ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0} EVSTORE_FUZZ_TARGET=$target exec "$binary" -max_total_time="$seconds" -detect_leaks=0 \
    -max_len=65536 -timeout=10 -artifact_prefix="$crashes/" "$@" "$corpus" "$kept"
