#!/usr/bin/env bash
# What the observability bundle costs a run that does not ask for metrics: the whole
# `meridian run --embedded -- /bin/true` of two installations, interleaved run by run (the machine's
# load hits both alike), median / p90 / min in milliseconds. See BENCHMARKS.md §6.
set -euo pipefail

readonly HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
readonly ROOT=$(cd "$HERE/../.." && pwd)

usage() {
    cat <<USAGE
Usage: bench/observability/embedded-start.sh [-r N] [-a ARGS] [-b ARGS] BEFORE_HOME AFTER_HOME

Runs BEFORE_HOME/bin/meridian run --embedded ARGS -- /bin/true and the same of AFTER_HOME N times
each (default 10), alternating, after one unmeasured run of each (bundle cache, page cache).
  -a ARGS   run options of both (split on spaces)
  -b ARGS   run options of the AFTER_HOME runs only (e.g. "--metrics-port 9400")
Environment: CC (default gcc).
USAGE
}

runs=10
args=""
after_args=""
while getopts "r:a:b:h" option; do
    case $option in
        r) runs=$OPTARG ;;
        a) args=$OPTARG ;;
        b) after_args=$OPTARG ;;
        h) usage; exit 0 ;;
        *) usage >&2; exit 2 ;;
    esac
done
shift $((OPTIND - 1))
[[ $# -eq 2 ]] || { usage >&2; exit 2; }
[[ $runs =~ ^[1-9][0-9]*$ ]] || { echo "embedded-start.sh: -r needs a positive number" >&2; exit 2; }
before=$1
after=$2
for home in "$before" "$after"; do
    [[ -x $home/bin/meridian ]] || { echo "embedded-start.sh: no $home/bin/meridian" >&2; exit 1; }
done

work=$(mktemp -d "${TMPDIR:-/tmp}/meridian-embedded-start.XXXXXX")
trap 'rm -rf "$work"' EXIT
"${CC:-gcc}" -O2 -Wall -o "$work/timeit" "$ROOT/bench/workloads/timeit.c"

# shellcheck disable=SC2086 # the options split on spaces, on purpose
measure() { # HOME OUTFILE EXTRA-ARGS
    "$work/timeit" "$work/t" "$1/bin/meridian" run --embedded --journal "$work/journal" $args $3 -- /bin/true \
        > /dev/null
    echo $(( $(cat "$work/t") / 1000 )) >> "$2"
}

measure "$before" /dev/null ""
measure "$after" /dev/null "$after_args"
: > "$work/before"
: > "$work/after"
for (( i = 0; i < runs; i++ )); do
    measure "$before" "$work/before" ""
    measure "$after" "$work/after" "$after_args"
done

stats() { # FILE: median p90 min in ms, from microseconds
    sort -n "$1" | awk '{ v[NR] = $1 } END {
        median = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
        p90 = v[int(NR * 0.9 + 0.999999)]
        printf "%.1f | %.1f | %.1f", median / 1000, p90 / 1000, v[1] / 1000 }'
}

echo "| installation | runs | median ms | p90 ms | min ms |"
echo "|---|---|---|---|---|"
echo "| before: $before | $runs | $(stats "$work/before") |"
echo "| after: $after${after_args:+ ($after_args)} | $runs | $(stats "$work/after") |"
