#!/usr/bin/env bash
# What the observability bundle costs a run that does not ask for metrics: the whole
# `meridian run --embedded -- /bin/true` of two installations, interleaved run by run (the machine's
# load hits both alike): wall time and CPU time (user + system of the whole process tree, steadier
# than wall time on a loaded machine), median / p90 / min in milliseconds. See BENCHMARKS.md §6.
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
Environment: CC (default gcc). Needs GNU time (/usr/bin/time; apt-get install time).
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

if [[ ! -x /usr/bin/time ]]; then
    if [[ $EUID -eq 0 ]]; then apt-get install -y -qq time >/dev/null; else
        echo "embedded-start.sh: GNU time is missing (apt-get install time)" >&2; exit 1; fi
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/meridian-embedded-start.XXXXXX")
trap 'rm -rf "$work"' EXIT
"${CC:-gcc}" -O2 -Wall -o "$work/timeit" "$ROOT/bench/workloads/timeit.c"

# shellcheck disable=SC2086 # the options split on spaces, on purpose
measure() { # HOME OUTFILE EXTRA-ARGS: appends "wall-µs cpu-ms" to OUTFILE
    /usr/bin/time -f "%U %S" -o "$work/cpu" "$work/timeit" "$work/t" "$1/bin/meridian" run --embedded \
        --journal "$work/journal" $args $3 -- /bin/true > /dev/null
    echo "$(( $(cat "$work/t") / 1000 )) $(awk '{ printf "%d", ($1 + $2) * 1000 }' "$work/cpu")" >> "$2"
}

load_start=$(cut -d' ' -f1 /proc/loadavg)
measure "$before" /dev/null ""
measure "$after" /dev/null "$after_args"
: > "$work/before"
: > "$work/after"
for (( i = 0; i < runs; i++ )); do
    measure "$before" "$work/before" ""
    measure "$after" "$work/after" "$after_args"
done

stats() { # FILE COLUMN SCALE: median p90 min of a column, divided by SCALE
    cut -d' ' -f"$2" "$1" | sort -n | awk -v scale="$3" '{ v[NR] = $1 } END {
        median = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
        p90 = v[int(NR * 0.9 + 0.999999)]
        printf "%.0f | %.0f | %.0f", median / scale, p90 / scale, v[1] / scale }'
}

echo "load average (1 min): $load_start at the start, $(cut -d' ' -f1 /proc/loadavg) at the end"
echo
echo "| installation | runs | wall median ms | wall p90 | wall min | CPU median ms | CPU p90 | CPU min |"
echo "|---|---|---|---|---|---|---|---|"
echo "| before: $before | $runs | $(stats "$work/before" 1 1000) | $(stats "$work/before" 2 1) |"
echo "| after: $after${after_args:+ ($after_args)} | $runs | $(stats "$work/after" 1 1000) | $(stats "$work/after" 2 1) |"
