#!/usr/bin/env bash
# A/B of two Meridian builds through warm daemons, side by side in one run: for each workload, the
# floor (notify-floor), build A and build B in rounds, A and B in alternating order, and the ratio
# of each to the floor of its own round. Both daemons run for the whole comparison, so both see the
# same machine; use it to decide whether a change to the guest path helps. See bench/README.md.
set -uo pipefail

readonly HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
readonly ROOT=$(cd "$HERE/../.." && pwd)

usage() {
    cat <<EOF
Usage: bench/workloads/ab-daemons.sh [-r N] [-w WORKLOADS] HOME_A HOME_B

HOME_A, HOME_B  two installed trees (e.g. distribution/target/meridian of two checkouts)
-r N            rounds per workload (default 9)
-w WORKLOADS    comma-separated, from: getppid (200000 calls), tar (a tree of 2000 files),
                forkexec (200 × fork + execve /bin/true + wait); default getppid,tar

Needs bench/workloads/run.sh to have run once (it builds the C workloads under
bench/target/workloads and generates the tar tree under \$TMPDIR/meridian-bench-data).
EOF
}

die() {
    echo "ab-daemons.sh: $*" >&2
    exit 1
}

rounds=9
workloads=getppid,tar
while getopts "r:w:h" option; do
    case $option in
        r) [[ $OPTARG =~ ^[1-9][0-9]*$ ]] || die "-r needs a positive number, not '$OPTARG'"; rounds=$OPTARG ;;
        w) workloads=$OPTARG ;;
        h) usage; exit 0 ;;
        *) usage >&2; exit 2 ;;
    esac
done
shift $((OPTIND - 1))
(($# == 2)) || { usage >&2; exit 2; }
readonly HOME_A=$1 HOME_B=$2
for home in "$HOME_A" "$HOME_B"; do
    [[ -x $home/bin/meridian ]] || die "$home/bin/meridian: not an installed Meridian tree"
done
readonly BUILD=${BENCH_BUILD_DIR:-$ROOT/bench/target/workloads}
readonly TREE=${BENCH_DATA_DIR:-${TMPDIR:-/tmp}/meridian-bench-data}/tree-2000
for program in notify-floor timeit getppid-loop fork-exec-loop; do
    [[ -x $BUILD/$program ]] || die "$BUILD/$program is missing: run bench/workloads/run.sh once"
done

work=$(mktemp -d "${TMPDIR:-/tmp}/meridian-ab.XXXXXX")
pids=()
cleanup() {
    ((${#pids[@]})) && kill -TERM "${pids[@]}" 2>/dev/null && wait "${pids[@]}" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT

workload_argv() {
    case $1 in
        getppid) echo "$BUILD/getppid-loop 200000" ;;
        tar) [[ -d $TREE ]] || die "$TREE is missing: run bench/workloads/run.sh -w tar once"
            echo "$(command -v tar) -cf $work/tree.tar -C $(dirname "$TREE") $(basename "$TREE")" ;;
        forkexec) echo "$BUILD/fork-exec-loop 200" ;;
        *) die "unknown workload '$1' (getppid, tar, forkexec)" ;;
    esac
}

# Guest-region nanoseconds of one traced run of workload $2 through the daemon of side $1.
run_side() {
    local side=$1 home
    [[ $side == a ]] && home=$HOME_A || home=$HOME_B
    rm -rf "$work/journal"
    # shellcheck disable=SC2046 # the workload's words
    MERIDIAN_STATE=$work/state-$side "$home/bin/meridian" run --journal "$work/journal" --profile trace \
        -- "$BUILD/timeit" "$work/inner.ns" $(workload_argv "$2") >/dev/null 2>"$work/stderr.txt" \
        || die "a run of $2 through daemon $side failed: $(tail -n 3 "$work/stderr.txt")"
    cat "$work/inner.ns"
}

for side in a b; do
    [[ $side == a ]] && home=$HOME_A || home=$HOME_B
    "$home/bin/meridian" daemon --state "$work/state-$side" 2>"$work/daemon-$side.log" &
    pids+=($!)
done
for side in a b; do
    for _ in $(seq 300); do
        [[ -S $work/state-$side/control.sock ]] && break
        sleep 0.1
    done
    [[ -S $work/state-$side/control.sock ]] || die "daemon $side did not start: $(tail -n 3 "$work/daemon-$side.log")"
done

median() {
    printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}

echo "# A/B through warm daemons: A = $HOME_A, B = $HOME_B; $rounds rounds; $(date -u '+%Y-%m-%d %H:%M UTC'); load $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| workload | floor ms | A ms | B ms | A / floor | B / floor |"
echo "|---|---:|---:|---:|---:|---:|"
IFS=, read -r -a chosen <<< "$workloads"
for workload in "${chosen[@]}"; do
    workload_argv "$workload" >/dev/null
    for _ in 1 2 3; do # warm both daemons' JIT on this workload
        run_side a "$workload" >/dev/null
        run_side b "$workload" >/dev/null
    done
    floor=() a=() b=() ratio_a=() ratio_b=()
    for round in $(seq "$rounds"); do
        # shellcheck disable=SC2046
        "$BUILD/notify-floor" "$BUILD/timeit" "$work/floor.ns" $(workload_argv "$workload") >/dev/null
        f=$(<"$work/floor.ns")
        if ((round % 2)); then x=$(run_side a "$workload"); y=$(run_side b "$workload")
        else y=$(run_side b "$workload"); x=$(run_side a "$workload"); fi
        floor+=("$f") a+=("$x") b+=("$y")
        ratio_a+=("$(echo "$x / $f" | bc -l)") ratio_b+=("$(echo "$y / $f" | bc -l)")
    done
    printf '| %s | %.1f | %.1f | %.1f | %.2f | %.2f |\n' "$workload" \
        "$(echo "$(median "${floor[@]}") / 1000000" | bc -l)" "$(echo "$(median "${a[@]}") / 1000000" | bc -l)" \
        "$(echo "$(median "${b[@]}") / 1000000" | bc -l)" "$(median "${ratio_a[@]}")" "$(median "${ratio_b[@]}")"
done
echo
echo "Times are guest-region medians; each ratio is the median over rounds of the run / that round's floor."
