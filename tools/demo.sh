#!/usr/bin/env bash
# The main job on built-in data, in one command:
#   1. build (release);
#   2. generate a deterministic engagement workload (seed 42);
#   3. import it, and a committed sample of a real event log (BPI Challenge
#      2020, travel-expense approvals; see Tests/LogImportTests/Fixtures);
#   4. catch up the four read models and print a leadership summary;
#   5. write the four CSVs, and show an audit trail and a point-in-time replay.
# Usage: tools/demo.sh [OUTPUT_DIR]   (default <repo>/evstore-demo; DEMO_EVENTS=N)
set -euo pipefail
# OUTPUT_DIR is taken from where the script is run; the default lies in the
# repository.
caller="$PWD"
cd "$(dirname "$0")/.."
export PATH="/opt/swift/usr/bin:$PATH"

out="${1:-./evstore-demo}"
case "$out" in
    /*) ;;
    *) [ -n "${1:-}" ] && out="$caller/$out" ;;
esac
# A rerun replaces an earlier run's output, and nothing else: a named
# directory holding other files is refused rather than emptied.
marker="$out/.evstore-demo"
if [ -n "${1:-}" ] && [ -d "$out" ] && [ -n "$(ls -A "$out")" ] && [ ! -e "$marker" ]; then
    echo "demo.sh: $out exists and was not written by the demo; name another directory" >&2
    exit 2
fi
events="${DEMO_EVENTS:-100000}"
store="$out/store"
sample=Tests/LogImportTests/Fixtures/BPI2020_DomesticDeclarations_first300.xes.gz

echo "==> building (release)"
swift build -c release --product evstore >/dev/null
swift build -c release --product evstore-gen >/dev/null
bin="$(swift build -c release --show-bin-path)"
evstore() { "$bin/evstore" --store "$store" "$@"; }

rm -rf "$out"
mkdir -p "$out/csv"
touch "$marker"
echo "==> generating $events engagement events (seed 42)"
"$bin/evstore-gen" --events "$events" --seed 42 --out "$out/workload.jsonl"

evstore init
echo "==> importing the generated workload"
evstore import "$out/workload.jsonl" --relaxed
echo "==> importing a real event log sample (BPI Challenge 2020, 300 declarations)"
evstore import-log "$sample" --mapping tools/mappings/bpi2020.json
echo "==> importing the sample again: every event is a duplicate"
evstore import-log "$sample" --mapping tools/mappings/bpi2020.json | head -1
echo "==> verifying the log and the index"
evstore verify

echo "==> catching up the four read models"
evstore project
# Ages are computed against the end of the generated workload's business time.
now=$(tail -1 "$out/workload.jsonl" | grep -o '"occurred_at":"[^"]*"' | cut -d'"' -f4)
echo "==> summary"
evstore report --now "$now"

echo
echo "==> writing the read models as CSV (ages as of $now)"
for name in utilization margin-exposure approval-aging billing-readiness; do
    evstore export "$name" --now "$now" --out "$out/csv/$name.csv"
    echo "    $out/csv/$name.csv  ($(($(wc -l < "$out/csv/$name.csv") - 1)) rows)"
done

echo
echo "==> the audit trail of one real declaration"
evstore audit declaration-86791
echo
echo "==> real declarations still open at the end of 2017-01-31 (business time)"
evstore replay approval-aging --occurred-until 2017-01-31 --format csv \
    --out "$out/csv/approval-aging-2017-01-31.csv"
grep ',open,' "$out/csv/approval-aging-2017-01-31.csv" | cut -d, -f1,7,13,14 | head -5 \
    | sed 's/^/    /' || true
echo "    ($(grep -c ',open,' "$out/csv/approval-aging-2017-01-31.csv" || true) open; \
all rows in $out/csv/approval-aging-2017-01-31.csv)"
echo
milestone=$(grep ',blocked,' "$out/csv/billing-readiness.csv" | head -1 | cut -d, -f1 || true)
if [ -n "$milestone" ]; then
    echo "==> why is milestone $milestone blocked?"
    evstore explain billing-readiness "$milestone" | tail -16
fi
echo
echo "==> the store (project appended the rule files to the stream \$rules)"
evstore stats
echo "done: the store is $store, the CSVs are in $out/csv"
