#!/usr/bin/env bash
# The benchmark's scale run, by hand: a decade of a 2,000-consultant firm.
#   tools/scale-run.sh [EVENTS] [WORK_DIR]      (default 10000000, /tmp/evstore-scale)
# Generates EVENTS events (seed 42), imports them (relaxed, synced at the end),
# verifies, rebuilds the four read models, and replays two of them at three
# cut-offs with snapshots; prints each step's wall time and peak memory.
# Needs about 4 GB of disk per 10M events; the work directory is removed at
# the end unless KEEP=1.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/opt/swift/usr/bin:$PATH"

events="${1:-10000000}"
work="${2:-/tmp/evstore-scale}"
swift build -c release --product evstore >/dev/null
swift build -c release --product evstore-gen >/dev/null
bin="$(swift build -c release --show-bin-path)"
store="$work/store"
rm -rf "$work"
mkdir -p "$work"

# Runs a step under /usr/bin/time and prints: step, seconds, peak MB, rate.
step() {
    local name=$1; shift
    /usr/bin/time -f "%e %M" -o "$work/time" "$@" > "$work/out" 2> "$work/err" || {
        cat "$work/err" >&2; exit 1; }
    read -r seconds kilobytes < "$work/time"
    local rate
    rate=$(python3 -c "print(f'{$events / $seconds:,.0f} events/s')")
    printf '%-44s %9.1f s %8.0f MB   %s\n' "$name" "$seconds" "$((kilobytes / 1024))" "$rate"
}

echo "scale run: $events events in $work ($(nproc) cores)"
step "generate (evstore-gen, seed 42)" \
    "$bin/evstore-gen" --events "$events" --seed 42 --consultants 2000 --out "$work/w.jsonl"
"$bin/evstore" --store "$store" init > /dev/null
step "import --relaxed (synced at the end)" "$bin/evstore" --store "$store" import "$work/w.jsonl" --relaxed
printf '%-44s %9.2f GB (JSON Lines %.2f GB)\n' "store size (log + index)" \
    "$(du -sb "$store" | awk '{print $1 / 1e9}')" "$(stat -c %s "$work/w.jsonl" | awk '{print $1 / 1e9}')"
step "verify" "$bin/evstore" --store "$store" verify
step "rebuild --all (four read models)" "$bin/evstore" --store "$store" rebuild --all
step "read --all > /dev/null" "$bin/evstore" --store "$store" read --all
for name in utilization margin-exposure; do
    for position in $((events / 7)) $((events / 2)) $((events * 9 / 10)); do
        /usr/bin/time -f "%e %M" -o "$work/time" "$bin/evstore" --store "$store" replay "$name" \
            --at-position "$position" --out "$work/replay.csv" 2> "$work/err" || {
            cat "$work/err" >&2; exit 1; }
        read -r seconds kilobytes < "$work/time"
        printf '%-44s %9.2f s %8.0f MB\n' "replay $name at $position" "$seconds" \
            "$((kilobytes / 1024))"
    done
done
[ "${KEEP:-0}" = 1 ] || rm -rf "$work"
