#!/usr/bin/env bash
# Whole-process benchmark: the same workloads natively, under the notify floor (a C
# supervisor answering CONTINUE to every call), under `meridian run` and under
# `meridian run --trace-file`. Prints a Markdown report and writes it to
# bench/workloads/results-<date>.md. See bench/README.md, "Whole-process workloads".
set -euo pipefail

readonly HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
readonly ROOT=$(cd "$HERE/../.." && pwd)
readonly ALL_MODES=(native floor meridian trace)
readonly ALL_WORKLOADS=(getppid tar python forkexec)
readonly INVOCATION="bench/workloads/run.sh${*:+ $*}"

usage() {
    cat <<EOF
Usage: bench/workloads/run.sh [-r N] [-s median|min] [-m MODES] [-w WORKLOADS] [-o FILE]

Runs each workload in each mode N times (interleaved) and reports median (or min) times, ratios
and the per-call overhead. Times are taken inside the guest region by a small timer
(timeit) that runs in the sandbox with the workload; the whole-command wall time,
JVM start-up included, is reported separately, as is a cold \`meridian run -- /bin/true\`.

Options:
  -r N          repetitions per workload and mode (default 5)
  -s STAT       statistic of the repetitions: median (default) or min (steadier when
                other processes compete for the CPUs)
  -m MODES      comma-separated, from: ${ALL_MODES[*]} (default: all)
                  native    the workload alone
                  floor     under notify-floor, the minimal seccomp-notify supervisor
                  meridian  meridian run --journal DIR -- ...
                  trace     meridian run --journal DIR --trace-file FILE -- ...
  -w WORKLOADS  comma-separated, from: ${ALL_WORKLOADS[*]} (default: all)
                  getppid   getppid-loop: \$GETPPID_CALLS getppid calls (default 200000)
                  tar       tar of a tree of \$TREE_FILES small files (default 2000) into a file
                  python    python3 -c 'import json, decimal, email, http.client, asyncio'
                  forkexec  fork-exec-loop: \$FORK_COUNT times fork + execve /bin/true + wait (default 200)
  -o FILE       results file (default: bench/workloads/results-<date>.md)
  -h            this help

Environment: MERIDIAN_HOME (default: distribution/target/meridian), MERIDIAN_RUN_ARGS
(extra options for meridian run, e.g. "--profile trace"), CC (default gcc),
BENCH_BUILD_DIR (default: bench/target/workloads), BENCH_DATA_DIR (where the tar tree
is generated once; default: \$TMPDIR/meridian-bench-data).
EOF
}

die() {
    echo "run.sh: $*" >&2
    exit 1
}

repetitions=5
statistic=median
modes_list=$(IFS=,; echo "${ALL_MODES[*]}")
workloads_list=$(IFS=,; echo "${ALL_WORKLOADS[*]}")
results_file="$HERE/results-$(date +%Y-%m-%d-%H%M).md"
while getopts ':r:s:m:w:o:h' option; do
    case $option in
        r) repetitions=$OPTARG ;;
        s) statistic=$OPTARG ;;
        m) modes_list=$OPTARG ;;
        w) workloads_list=$OPTARG ;;
        o) results_file=$OPTARG ;;
        h) usage; exit 0 ;;
        :) die "-$OPTARG needs a value (see -h)" ;;
        *) die "unknown option -$OPTARG (see -h)" ;;
    esac
done
shift $((OPTIND - 1))
(($# == 0)) || die "unexpected argument: $1 (see -h)"
[[ $repetitions =~ ^[1-9][0-9]*$ ]] || die "-r needs a positive number, not '$repetitions'"
[[ $statistic == median || $statistic == min ]] || die "-s takes median or min, not '$statistic'"

# Sets the array named by $1 to the names of the comma list $2 that are in "$4...", in
# that canonical order; unknown names are an error.
select_from() {
    local -n chosen=$1
    local list=$2 kind=$3; shift 3
    local -a known=("$@") wanted
    local name
    IFS=, read -r -a wanted <<<"$list"
    for name in "${wanted[@]}"; do
        [[ " ${known[*]} " == *" $name "* ]] || die "unknown $kind '$name' (known: ${known[*]})"
    done
    chosen=()
    for name in "${known[@]}"; do
        [[ ",$list," == *",$name,"* ]] && chosen+=("$name")
    done
    return 0
}
select_from modes "$modes_list" mode "${ALL_MODES[@]}"
select_from workloads "$workloads_list" workload "${ALL_WORKLOADS[@]}"
((${#modes[@]} > 0)) || die "no mode selected"
((${#workloads[@]} > 0)) || die "no workload selected"

uses_meridian=false
[[ " ${modes[*]} " == *" meridian "* || " ${modes[*]} " == *" trace "* ]] && uses_meridian=true

readonly DISTRIBUTION=${MERIDIAN_HOME:-$ROOT/distribution/target/meridian}
readonly MERIDIAN=$DISTRIBUTION/bin/meridian
if $uses_meridian && [[ ! -x $MERIDIAN ]]; then
    die "no Meridian distribution at $DISTRIBUTION (bin/meridian missing).
Build it first, from $ROOT: ./build demo   (or: mvn -DskipTests install)
or set MERIDIAN_HOME, or measure without Meridian: -m native,floor"
fi
read -r -a meridian_extra <<<"${MERIDIAN_RUN_ARGS:-}"

readonly GETPPID_CALLS=${GETPPID_CALLS:-200000}
readonly FORK_COUNT=${FORK_COUNT:-200}
readonly TREE_FILES=${TREE_FILES:-2000}
readonly BUILD=${BENCH_BUILD_DIR:-$ROOT/bench/target/workloads}
readonly DATA=${BENCH_DATA_DIR:-${TMPDIR:-/tmp}/meridian-bench-data}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/meridian-bench.XXXXXX")
readonly WORK
readonly LOAD_AT_START=$(cut -d' ' -f1-3 /proc/loadavg)
trap 'rm -rf "$WORK"' EXIT

# ---- build ---------------------------------------------------------------------------
mkdir -p "$BUILD"
for program in notify-floor timeit getppid-loop fork-exec-loop; do
    "${CC:-gcc}" -O2 -Wall -Wextra -Werror -o "$BUILD/$program" "$HERE/$program.c" \
        || die "could not compile $HERE/$program.c"
done

# ---- workloads -----------------------------------------------------------------------
# Trees of small files of varied sizes, generated once and reused.
tree_dir=$DATA/tree-$TREE_FILES
if [[ ! -e $tree_dir/.complete ]]; then
    echo "run.sh: generating $TREE_FILES files under $tree_dir" >&2
    rm -rf "$tree_dir"
    block=$(printf 'meridian bench %064d\n' $(seq 1 64))
    for ((i = 0; i < TREE_FILES; i++)); do
        dir=$tree_dir/d$((i / 100))/s$((i / 20 % 5))
        ((i % 20 == 0)) && mkdir -p "$dir"
        printf '%s' "${block:0:$((64 + i * 37 % 4000))}" >"$dir/f$i.txt"
    done
    touch "$tree_dir/.complete"
fi

# The real interpreter, not a wrapper script (pyenv shims run bash and more).
python_bin=$(python3 -c 'import sys; print(sys.executable)') || die "python3 is needed for the python workload"
tar_bin=$(command -v tar) || die "tar is needed for the tar workload"

workload_command() {
    case $1 in
        getppid) workload_argv=("$BUILD/getppid-loop" "$GETPPID_CALLS") ;;
        tar) workload_argv=("$tar_bin" -cf "$WORK/tree.tar" -C "$DATA" "tree-$TREE_FILES") ;;
        python) workload_argv=("$python_bin" -c 'import json, decimal, email, http.client, asyncio') ;;
        forkexec) workload_argv=("$BUILD/fork-exec-loop" "$FORK_COUNT") ;;
    esac
}

workload_label() {
    case $1 in
        getppid) echo "getppid ×$GETPPID_CALLS" ;;
        tar) echo "tar $TREE_FILES files" ;;
        python) echo "python3 imports" ;;
        forkexec) echo "fork+exec ×$FORK_COUNT" ;;
    esac
}

mode_label() {
    case $1 in
        native) echo "native" ;;
        floor) echo "floor" ;;
        meridian) echo "meridian run" ;;
        trace) echo "run --trace-file" ;;
    esac
}

# ---- measuring -----------------------------------------------------------------------
declare -A inner_ns outer_ns calls journal_calls trace_lines

# Runs "$@" in MODE and times the whole command from outside (last_outer, ns) and, unless
# TIME_GUEST=false, the guest region with timeit inside the sandbox (last_inner, ns).
run_timed() {
    local mode=$1 key=$2; shift 2
    local -a guest=("$@") full
    ${TIME_GUEST:-true} && guest=("$BUILD/timeit" "$WORK/inner.ns" "$@")
    case $mode in
        native) full=("${guest[@]}") ;;
        floor) full=("$BUILD/notify-floor" "${guest[@]}") ;;
        meridian | trace)
            rm -rf "$WORK/journal-$key"
            full=("$MERIDIAN" run --journal "$WORK/journal-$key" "${meridian_extra[@]}")
            [[ $mode == trace ]] && full+=(--trace-file "$WORK/trace-$key.txt")
            full+=(-- "${guest[@]}")
            ;;
    esac
    rm -f "$WORK/inner.ns" "$WORK/outer.ns"
    local status=0
    "$BUILD/timeit" "$WORK/outer.ns" "${full[@]}" >/dev/null 2>"$WORK/stderr.txt" || status=$?
    if ((status != 0)) || { ${TIME_GUEST:-true} && [[ ! -s $WORK/inner.ns ]]; }; then
        echo "run.sh: failed (exit $status): ${full[*]}" >&2
        tail -n 30 "$WORK/stderr.txt" >&2
        exit 1
    fi
    last_inner=$(cat "$WORK/inner.ns" 2>/dev/null || true)
    last_outer=$(<"$WORK/outer.ns")
}

median() {
    printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

ms() { awk -v ns="$1" 'BEGIN { printf (ns >= 1e10 ? "%.0f" : ns >= 1e8 ? "%.1f" : "%.2f"), ns / 1e6 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
per_call_us() { awk -v t="$1" -v base="$2" -v n="$3" 'BEGIN { printf "%.2f", (t - base) / n / 1e3 }'; }

# Cold start, before anything else runs a JVM: the very first `meridian run -- /bin/true`
# of this invocation, then fresh JVMs with a warm page cache.
declare -a true_native=() true_floor=() true_meridian=()
true_first=""
if $uses_meridian; then
    # What the first run finds: the launcher keeps the Felix bundle cache between runs (in
    # var/ of a writable home, else in the user's cache) and may ship an AOT cache.
    felix_cache="none in $DISTRIBUTION/var (may be under ${XDG_CACHE_HOME:-~/.cache}/meridian)"
    [[ -d $DISTRIBUTION/var/felix-cache ]] && felix_cache="present ($DISTRIBUTION/var/felix-cache)"
    aot_cache=absent
    [[ -f $DISTRIBUTION/lib/meridian.aot ]] && aot_cache="present (lib/meridian.aot)"
    echo "run.sh: cold start: meridian run -- /bin/true" >&2
    for ((rep = 0; rep <= repetitions; rep++)); do
        TIME_GUEST=false run_timed meridian true /bin/true
        if ((rep == 0)); then true_first=$last_outer; else true_meridian+=("$last_outer"); fi
        TIME_GUEST=false run_timed native true /bin/true
        ((rep > 0)) && true_native+=("$last_outer")
        TIME_GUEST=false run_timed floor true /bin/true
        ((rep > 0)) && true_floor+=("$last_outer")
    done
fi

# Warm-up (page cache, .pyc files) and the number of notified calls, from the floor.
for workload in "${workloads[@]}"; do
    workload_command "$workload"
    "${workload_argv[@]}" >/dev/null || die "$workload failed natively: ${workload_argv[*]}"
    "$BUILD/notify-floor" -v "${workload_argv[@]}" >/dev/null 2>"$WORK/count.txt" \
        || die "$workload failed under notify-floor: $(tail -n 5 "$WORK/count.txt")"
    calls[$workload]=$(sed -n 's/^notify-floor: \([0-9]*\) notifications.*/\1/p' "$WORK/count.txt")
    [[ -n ${calls[$workload]} ]] || die "no notification count from notify-floor -v"
    sync_wake_up=$(sed -n 's/.*(sync wake-up \(on\|off\)).*/\1/p' "$WORK/count.txt")
done

for ((rep = 1; rep <= repetitions; rep++)); do
    for workload in "${workloads[@]}"; do
        workload_command "$workload"
        for mode in "${modes[@]}"; do
            echo "run.sh: repetition $rep/$repetitions: $workload, $mode" >&2
            run_timed "$mode" "$workload-$mode" "${workload_argv[@]}"
            inner_ns[$workload:$mode]+=" $last_inner"
            outer_ns[$workload:$mode]+=" $last_outer"
        done
    done
done

# Cross-checks from the last Meridian runs: calls in the journal, lines in the trace.
for workload in "${workloads[@]}"; do
    for mode in meridian trace; do
        [[ " ${modes[*]} " == *" $mode "* ]] || continue
        listing=$("$MERIDIAN" journal --journal "$WORK/journal-$workload-$mode" --sandboxes --json 2>&1) || true
        journal_calls[$workload:$mode]=$(sed -n 's/.*"calls":\([0-9]*\).*/\1/p' <<<"$listing" | head -n 1)
        [[ $mode == trace ]] && trace_lines[$workload]=$(wc -l <"$WORK/trace-$workload-$mode.txt")
    done
done

# ---- report --------------------------------------------------------------------------
cpu_model=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
memory=$(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
revision=$(git -C "$ROOT" describe --always --dirty 2>/dev/null || echo unknown)

# The chosen statistic of a space-separated list of samples.
statistic_of() {
    if [[ $statistic == min ]]; then
        printf '%s\n' ${1} | sort -n | head -n 1
    else
        median ${1}
    fi
}

report() {
    echo "# Meridian whole-process benchmark, $(date '+%Y-%m-%d %H:%M %Z')"
    echo
    echo "- Command: \`$INVOCATION\` (revision $revision)"
    echo "- Machine: $cpu_model, $(nproc) CPUs, $memory, Linux $(uname -r), load average $LOAD_AT_START at the start, $(cut -d' ' -f1-3 /proc/loadavg) at the end"
    echo "- Floor: notify-floor (poll → RECV → SEND CONTINUE), SYNC_WAKE_UP ${sync_wake_up:-?}"
    $uses_meridian && echo "- Meridian: $DISTRIBUTION${MERIDIAN_RUN_ARGS:+, run options: $MERIDIAN_RUN_ARGS}"
    echo "- $repetitions repetitions per cell, interleaved; the tables show the ${statistic} (raw samples at the end). Guest region = timeit inside the sandbox, fork to wait."
    echo

    echo "## Guest-region time, $statistic ms (× native)"
    echo
    local header="| workload | notified calls |" rule="|---|---:|" mode workload
    for mode in "${modes[@]}"; do header+=" $(mode_label "$mode") |"; rule+="---:|"; done
    echo "$header"; echo "$rule"
    declare -A med
    for workload in "${workloads[@]}"; do
        local row="| $(workload_label "$workload") | ${calls[$workload]} |"
        for mode in "${modes[@]}"; do
            med[$workload:$mode]=$(statistic_of "${inner_ns[$workload:$mode]}")
            row+=" $(ms "${med[$workload:$mode]}")"
            [[ $mode != native && -n ${inner_ns[$workload:native]:-} ]] \
                && row+=" ($(ratio "${med[$workload:$mode]}" "$(statistic_of "${inner_ns[$workload:native]}")")×)"
            row+=" |"
        done
        echo "$row"
    done
    echo

    if [[ " ${modes[*]} " == *" native "* ]] && ((${#modes[@]} > 1)); then
        echo "## Per-call overhead, µs: (mode − native) / notified calls"
        echo
        header="| workload |"; rule="|---|"
        for mode in "${modes[@]}"; do
            [[ $mode == native ]] || { header+=" $(mode_label "$mode") |"; rule+="---:|"; }
        done
        echo "$header"; echo "$rule"
        for workload in "${workloads[@]}"; do
            local row="| $(workload_label "$workload") |"
            for mode in "${modes[@]}"; do
                [[ $mode == native ]] && continue
                row+=" $(per_call_us "${med[$workload:$mode]}" "${med[$workload:native]}" "${calls[$workload]}") |"
            done
            echo "$row"
        done
        echo
    fi

    if [[ " ${modes[*]} " == *" floor "* ]] && $uses_meridian; then
        echo "## Meridian vs the floor (guest region; target: traced run ≤ 1.2× floor)"
        echo
        header="| workload |"; rule="|---|"
        for mode in meridian trace; do
            [[ " ${modes[*]} " == *" $mode "* ]] && { header+=" $(mode_label "$mode") / floor |"; rule+="---:|"; }
        done
        echo "$header journal calls (run / trace-file) | trace lines |"
        echo "$rule---:|---:|"
        for workload in "${workloads[@]}"; do
            local row="| $(workload_label "$workload") |"
            for mode in meridian trace; do
                [[ " ${modes[*]} " == *" $mode "* ]] || continue
                local r
                r=$(ratio "${med[$workload:$mode]}" "${med[$workload:floor]}")
                row+=" $r $(awk -v r="$r" 'BEGIN { print (r <= 1.2) ? "✓" : "✗" }') |"
            done
            row+=" ${journal_calls[$workload:meridian]:-–} / ${journal_calls[$workload:trace]:-–} | ${trace_lines[$workload]:-–} |"
            echo "$row"
        done
        echo
    fi

    echo "## Whole-command wall time, $statistic ms (JVM start-up included)"
    echo
    header="| workload |"; rule="|---|"
    for mode in "${modes[@]}"; do header+=" $(mode_label "$mode") |"; rule+="---:|"; done
    echo "$header"; echo "$rule"
    for workload in "${workloads[@]}"; do
        local row="| $(workload_label "$workload") |"
        for mode in "${modes[@]}"; do row+=" $(ms "$(statistic_of "${outer_ns[$workload:$mode]}")") |"; done
        echo "$row"
    done
    echo

    if $uses_meridian; then
        echo "## \`meridian run -- /bin/true\`, cold (fresh JVM each time, warm page cache)"
        echo
        echo "Before the first run: Felix bundle cache $felix_cache; AOT cache $aot_cache."
        echo
        echo "| | ms |"
        echo "|---|---:|"
        echo "| very first run of this invocation | $(ms "$true_first") |"
        echo "| $statistic of $repetitions more | $(ms "$(statistic_of "${true_meridian[*]}")") |"
        local sorted
        sorted=$(printf '%s\n' "${true_meridian[@]}" | sort -n)
        echo "| min / max of those | $(ms "$(head -n 1 <<<"$sorted")") / $(ms "$(tail -n 1 <<<"$sorted")") |"
        echo "| /bin/true native ($statistic) | $(ms "$(statistic_of "${true_native[*]}")") |"
        echo "| /bin/true under the floor ($statistic) | $(ms "$(statistic_of "${true_floor[*]}")") |"
        echo
    fi

    echo "## Raw guest-region samples, ms"
    echo
    echo '```'
    for workload in "${workloads[@]}"; do
        for mode in "${modes[@]}"; do
            printf '%-9s %-9s' "$workload" "$mode"
            for sample in ${inner_ns[$workload:$mode]}; do printf ' %s' "$(ms "$sample")"; done
            echo
        done
    done
    echo '```'
}

report | tee "$results_file"
echo "run.sh: results written to $results_file" >&2
