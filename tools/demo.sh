#!/usr/bin/env bash
# The main job on built-in data, in one command: build, generate a
# deterministic engagement workload, import it, check the store and print
# its figures. Usage: tools/demo.sh [OUTPUT_DIR] (default ./evstore-demo).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/opt/swift/usr/bin:$PATH"

out="${1:-./evstore-demo}"
events="${DEMO_EVENTS:-100000}"
store="$out/store"

echo "==> building (release)"
swift build -c release --product evstore >/dev/null
swift build -c release --product evstore-gen >/dev/null
bin="$(swift build -c release --show-bin-path)"

rm -rf "$out"
mkdir -p "$out"
echo "==> generating $events engagement events (seed 42) into $out/workload.jsonl"
"$bin/evstore-gen" --events "$events" --seed 42 --out "$out/workload.jsonl"

"$bin/evstore" --store "$store" init
echo "==> importing"
"$bin/evstore" --store "$store" import "$out/workload.jsonl"
echo "==> importing again (every event is a duplicate, nothing is stored)"
"$bin/evstore" --store "$store" import "$out/workload.jsonl"
echo "==> verifying"
"$bin/evstore" --store "$store" verify
echo "==> stats"
"$bin/evstore" --store "$store" stats
echo "==> the first events of one engagement"
"$bin/evstore" --store "$store" read engagement-E0001 --limit 3
