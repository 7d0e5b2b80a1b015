#!/usr/bin/env bash
# Whole-process benchmark: the same workloads natively, under the notify floor (a C supervisor
# answering CONTINUE to every call), under bubblewrap (namespaces, no per-call checks) and under
# `meridian run` with the trace, default and strict profiles. Prints a Markdown report and writes
# it to bench/workloads/results-<date>.md. See bench/README.md, "Whole-process workloads".
set -euo pipefail

readonly HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
readonly ROOT=$(cd "$HERE/../.." && pwd)
readonly ALL_MODES=(native floor capfloor bwrap traced tracefile warm default strict)
readonly MERIDIAN_MODES=(traced tracefile warm default strict)
readonly ALL_WORKLOADS=(getppid tar python forkexec sqlite threads find http)
# Presets: issue 3's policy suite (the default) and issue 2's trace suite.
readonly POLICY_MODES=native,bwrap,default,strict POLICY_WORKLOADS=all
readonly TRACE_MODES=native,floor,capfloor,traced,tracefile,warm TRACE_WORKLOADS=getppid,tar,python,forkexec
# Namespaces only, nothing checked per call: the whole host file system (devices included) as
# it is, new PID, IPC and UTS namespaces, killed with the harness.
readonly BWRAP_OPTIONS=(--dev-bind / / --unshare-pid --unshare-ipc --unshare-uts --die-with-parent)
# What `strict` lets every program read (and execute); grants beyond it go in the per-run policy.
readonly STRICT_READ_ROOTS=(/usr /bin /sbin /lib /lib32 /lib64 /etc)
readonly INVOCATION="bench/workloads/run.sh${*:+ $*}"

usage() {
    cat <<EOF
Usage: bench/workloads/run.sh [-p policy|trace] [-r N] [-s median|min] [-m MODES] [-w WORKLOADS] [-o FILE]

Runs each workload in each mode N times (interleaved) and reports median (or min) times, ratios
to native, their geometric mean and, for the modes that notify every call, the per-call
overhead. Times are taken inside the guest region by a small timer (timeit) that runs in the
sandbox with the workload; the whole-command wall time, JVM start-up included, is reported
separately, as is a cold \`meridian run -- /bin/true\`.

Options:
  -p PRESET     policy  issue 3: -m $POLICY_MODES, every workload (the default)
                trace   issue 2: -m $TRACE_MODES -w $TRACE_WORKLOADS
                -m and -w override the preset's modes and workloads
  -r N          repetitions per workload and mode (default 5)
  -s STAT       statistic of the repetitions: median (default) or min (steadier when
                other processes compete for the CPUs)
  -m MODES      comma-separated, from: ${ALL_MODES[*]}
                  native     the workload alone
                  floor      under notify-floor, the minimal seccomp-notify supervisor
                  capfloor   under notify-floor -c, which also reads each path argument out of
                             the guest and re-checks the call (the floor of a tracer that records
                             paths)
                  bwrap      bwrap ${BWRAP_OPTIONS[*]} -- ...
                  traced     meridian run --journal DIR --profile trace -- ...
                  tracefile  the same with --trace-file FILE
                  warm       the same as traced through a warm daemon: run.sh starts
                             \`meridian daemon\` on a private state directory, runs every workload
                             there once to warm it up, and \`meridian run\` is then its client
                  default    meridian run --journal DIR --profile default -- ...
                  strict     meridian run --journal DIR --profile strict --policy FILE -- ..., FILE
                             granting what the workload needs beyond strict (printed in the report)
                (meridian and trace, issue 2's names of traced and tracefile, still work)
  -w WORKLOADS  comma-separated, from: ${ALL_WORKLOADS[*]}, or all
                  getppid   getppid-loop: \$GETPPID_CALLS getppid calls (default 200000)
                  tar       tar of a tree of \$TREE_FILES small files (default 2000) into a file
                  python    python3 -c 'import json, decimal, email, http.client, asyncio'
                  forkexec  fork-exec-loop: \$FORK_COUNT times fork + execve /bin/true + wait (default 200)
                  sqlite    sqlite3 CLI: \$SQLITE_ROWS rows (default 20000) inserted in transactions
                            of 1000 into a database file, an index, queries, an update, a delete
                  threads   futex-threads: \$THREADS threads (default 8) pass a token \$THREAD_LAPS
                            times round a ring (semaphores) then contend for a mutex
                            \$THREAD_ITERATIONS times each (defaults 2000, 20000)
                  find      find \$FIND_DIR -type f (default /usr/lib), output to /dev/null
                  http      http-get-loop: \$HTTP_REQUESTS sequential HTTP/1.0 GETs (default 1000)
                            from python3 -m http.server on 127.0.0.1, started outside the sandbox
  -o FILE       results file (default: bench/workloads/results-<date>.md)
  -h            this help

Environment: MERIDIAN_HOME (default: distribution/target/meridian), MERIDIAN_RUN_ARGS
(extra options for every meridian run), PYTHON (the interpreter of the python workload and the
HTTP server; default /usr/bin/python3 if present, since strict denies /root/** where pyenv
lives, else the real interpreter behind python3), CC (default gcc), BENCH_BUILD_DIR
(default: bench/target/workloads), BENCH_DATA_DIR (where the tar tree is generated once;
default: \$TMPDIR/meridian-bench-data). Missing bubblewrap and sqlite3 are installed with
apt-get when running as root.
EOF
}

die() {
    echo "run.sh: $*" >&2
    exit 1
}

repetitions=5
statistic=median
preset=policy
modes_list=""
workloads_list=""
results_file="$HERE/results-$(date +%Y-%m-%d-%H%M).md"
while getopts ':p:r:s:m:w:o:h' option; do
    case $option in
        p) preset=$OPTARG ;;
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
case $preset in
    policy) : "${modes_list:=$POLICY_MODES}" "${workloads_list:=$POLICY_WORKLOADS}" ;;
    trace) : "${modes_list:=$TRACE_MODES}" "${workloads_list:=$TRACE_WORKLOADS}" ;;
    *) die "-p takes policy or trace, not '$preset'" ;;
esac
[[ $workloads_list == all ]] && workloads_list=$(IFS=,; echo "${ALL_WORKLOADS[*]}")
modes_list=$(sed -e 's/\bmeridian\b/traced/g' -e 's/\btrace\b/tracefile/g' <<<"$modes_list")
results_file=$(realpath -m -- "$results_file")

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

has_mode() { [[ " ${modes[*]} " == *" $1 "* ]]; }
has_workload() { [[ " ${workloads[*]} " == *" $1 "* ]]; }
is_meridian_mode() { [[ " ${MERIDIAN_MODES[*]} " == *" $1 "* ]]; }

profile_of() {
    case $1 in
        traced | tracefile | warm) echo trace ;;
        default | strict) echo "$1" ;;
    esac
}

selected_meridian_modes=()
for mode in "${modes[@]}"; do
    is_meridian_mode "$mode" && selected_meridian_modes+=("$mode")
done
uses_meridian=false
((${#selected_meridian_modes[@]} > 0)) && uses_meridian=true

# ---- prerequisites -------------------------------------------------------------------
# Installs the Debian package $2 when command $1 is missing, as ./build does for its tools.
ensure_command() {
    command -v "$1" >/dev/null && return 0
    if [[ $EUID -ne 0 ]] || ! command -v apt-get >/dev/null; then
        die "$1 is missing; install it (e.g. sudo apt-get install $2) or leave out what needs it (see -h)"
    fi
    echo "run.sh: installing $2" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq && apt-get install -y -qq --no-install-recommends "$2" >/dev/null \
        || die "could not install $2 with apt-get"
}

readonly DISTRIBUTION=${MERIDIAN_HOME:-$ROOT/distribution/target/meridian}
readonly MERIDIAN=$DISTRIBUTION/bin/meridian
if $uses_meridian; then
    [[ -x $MERIDIAN ]] || die "no Meridian distribution at $DISTRIBUTION (bin/meridian missing).
Build it first, from $ROOT: ./build demo   (or: mvn -DskipTests package)
or set MERIDIAN_HOME, or measure without Meridian: -m native,floor,bwrap"
    known_profiles=$("$MERIDIAN" policy profiles 2>&1) \
        || die "'meridian policy profiles' failed in $DISTRIBUTION: $known_profiles"
    known_profiles=$(paste -sd' ' <<<"$known_profiles")
    missing=() measurable=()
    for mode in "${modes[@]}"; do
        if is_meridian_mode "$mode" && [[ " $known_profiles " != *" $(profile_of "$mode") "* ]]; then
            missing+=("mode '$mode' needs the built-in profile '$(profile_of "$mode")'")
        else
            measurable+=("$mode")
        fi
    done
    ((${#missing[@]} == 0)) || die "$(IFS=,; echo "${missing[*]}" | sed 's/,/; /g'): the Meridian at $DISTRIBUTION has only: $known_profiles.
Measure the other modes (e.g. -m $(IFS=,; echo "${measurable[*]}")) or use a distribution that has the profile (MERIDIAN_HOME)."
fi
read -r -a meridian_extra <<<"${MERIDIAN_RUN_ARGS:-}"

if has_mode bwrap; then
    ensure_command bwrap bubblewrap
    bwrap_bin=$(command -v bwrap)
    bwrap_check=$("$bwrap_bin" "${BWRAP_OPTIONS[@]}" -- /bin/true 2>&1) \
        || die "bwrap cannot create its namespaces here: $bwrap_check"
fi
if has_workload sqlite; then
    ensure_command sqlite3 sqlite3
    sqlite_bin=$(command -v sqlite3)
fi
# The real interpreter, not a wrapper script (pyenv shims run bash and more); outside /root, if
# there is one, because strict denies /root/** (where pyenv installs) whatever a policy grants.
if [[ -z ${PYTHON:-} ]]; then
    if [[ -x /usr/bin/python3 ]]; then
        PYTHON=/usr/bin/python3
    else
        PYTHON=$(python3 -c 'import sys; print(sys.executable)') || die "python3 is needed (python and http workloads)"
    fi
fi
if has_workload python || has_workload http; then
    python_version=$("$PYTHON" -c 'import sys; print(sys.version.split()[0])') || die "PYTHON=$PYTHON does not run"
    python_prefix=$("$PYTHON" -c 'import sys; print(sys.base_prefix)')
fi

readonly GETPPID_CALLS=${GETPPID_CALLS:-200000}
readonly FORK_COUNT=${FORK_COUNT:-200}
readonly TREE_FILES=${TREE_FILES:-2000}
readonly SQLITE_ROWS=${SQLITE_ROWS:-20000}
readonly THREADS=${THREADS:-8} THREAD_LAPS=${THREAD_LAPS:-2000} THREAD_ITERATIONS=${THREAD_ITERATIONS:-20000}
readonly FIND_DIR=${FIND_DIR:-/usr/lib}
readonly HTTP_REQUESTS=${HTTP_REQUESTS:-1000}
mkdir -p "${BENCH_BUILD_DIR:-$ROOT/bench/target/workloads}"
readonly BUILD=$(realpath "${BENCH_BUILD_DIR:-$ROOT/bench/target/workloads}")
readonly DATA=${BENCH_DATA_DIR:-${TMPDIR:-/tmp}/meridian-bench-data}
# The canonical path: strict's ${CWD} grant and Landlock's path rules see through symbolic links.
WORK=$(realpath "$(mktemp -d "${TMPDIR:-/tmp}/meridian-bench.XXXXXX")")
readonly WORK
readonly LOAD_AT_START=$(cut -d' ' -f1-3 /proc/loadavg)
http_server=""
daemon=""
cleanup() {
    [[ -n $http_server ]] && kill "$http_server" 2>/dev/null
    if [[ -n $daemon ]]; then
        kill -TERM "$daemon" 2>/dev/null
        wait "$daemon" 2>/dev/null
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT

# ---- build ---------------------------------------------------------------------------
for program in notify-floor timeit getppid-loop fork-exec-loop futex-threads http-get-loop; do
    "${CC:-gcc}" -O2 -Wall -Wextra -Werror -pthread -o "$BUILD/$program" "$HERE/$program.c" \
        || die "could not compile $HERE/$program.c"
done

# ---- workloads -----------------------------------------------------------------------
# Trees of small files of varied sizes, generated once and reused.
tree_dir=$DATA/tree-$TREE_FILES
if has_workload tar && [[ ! -e $tree_dir/.complete ]]; then
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
has_workload tar && tree_dir=$(realpath "$tree_dir")

if has_workload tar; then tar_bin=$(command -v tar) || die "tar is needed for the tar workload"; fi
if has_workload find; then
    find_bin=$(command -v find) || die "find is needed for the find workload"
    [[ -d $FIND_DIR ]] || die "FIND_DIR=$FIND_DIR is not a directory"
    find_files=$("$find_bin" "$FIND_DIR" -type f | wc -l)
fi

# The SQL of the sqlite workload; the same database file is reused, the table dropped first.
if has_workload sqlite; then
    awk -v rows="$SQLITE_ROWS" 'BEGIN {
        print "PRAGMA temp_store = MEMORY;"
        print "DROP TABLE IF EXISTS item;"
        print "CREATE TABLE item (id INTEGER PRIMARY KEY, name TEXT NOT NULL, category INTEGER NOT NULL, price REAL NOT NULL);"
        for (i = 0; i < rows; i++) {
            if (i % 1000 == 0) print "BEGIN;"
            printf "INSERT INTO item (name, category, price) VALUES (\047item %d\047, %d, %.2f);\n", i, i * 7919 % 50, (i * 104729 % 100000) / 100
            if (i % 1000 == 999 || i == rows - 1) print "COMMIT;"
        }
        print "CREATE INDEX item_category ON item (category);"
        print "SELECT count(*), sum(price) FROM item;"
        print "SELECT category, count(*), avg(price) FROM item GROUP BY category ORDER BY 3 DESC LIMIT 5;"
        print "SELECT id, price FROM item WHERE category = 7 ORDER BY price DESC LIMIT 10;"
        print "SELECT count(*) FROM item WHERE name LIKE \047item 19%\047;"
        print "UPDATE item SET price = price * 1.1 WHERE category = 3;"
        print "DELETE FROM item WHERE id % 10 = 0;"
        print "SELECT count(*) FROM item;"
    }' >"$WORK/sqlite-bench.sql"
fi

# The HTTP server, outside every sandbox, on a free loopback port (the kernel's pick).
if has_workload http; then
    mkdir -p "$WORK/www"
    head -c 3072 /dev/zero | tr '\0' 'm' >"$WORK/www/page.html"
    : >"$WORK/http-server.out"   # exists before the server's shell gets to open it
    "$PYTHON" -u -m http.server --bind 127.0.0.1 --directory "$WORK/www" 0 \
        >"$WORK/http-server.out" 2>"$WORK/http-server.log" </dev/null &
    http_server=$!
    for ((wait = 0; wait < 100; wait++)); do
        http_port=$(sed -n 's/^Serving HTTP on 127\.0\.0\.1 port \([0-9]*\).*/\1/p' "$WORK/http-server.out")
        [[ -n $http_port ]] && break
        kill -0 "$http_server" 2>/dev/null || die "the HTTP server did not start: $(tail -n 5 "$WORK/http-server.log")"
        sleep 0.1
    done
    [[ -n $http_port ]] || die "the HTTP server did not report its port within 10 s"
fi

workload_command() {
    case $1 in
        getppid) workload_argv=("$BUILD/getppid-loop" "$GETPPID_CALLS") ;;
        tar) workload_argv=("$tar_bin" -cf "$WORK/tree.tar" -C "$(dirname "$tree_dir")" "$(basename "$tree_dir")") ;;
        python) workload_argv=("$PYTHON" -c 'import json, decimal, email, http.client, asyncio') ;;
        forkexec) workload_argv=("$BUILD/fork-exec-loop" "$FORK_COUNT") ;;
        sqlite) workload_argv=("$sqlite_bin" -batch -init /dev/null "$WORK/bench.db" ".read $WORK/sqlite-bench.sql") ;;
        threads) workload_argv=("$BUILD/futex-threads" "$THREADS" "$THREAD_LAPS" "$THREAD_ITERATIONS") ;;
        find) workload_argv=("$find_bin" "$FIND_DIR" -type f) ;;
        http) workload_argv=("$BUILD/http-get-loop" "$http_port" "$HTTP_REQUESTS" /page.html) ;;
    esac
}

workload_label() {
    case $1 in
        getppid) echo "getppid ×$GETPPID_CALLS" ;;
        tar) echo "tar $TREE_FILES files" ;;
        python) echo "python3 imports" ;;
        forkexec) echo "fork+exec ×$FORK_COUNT" ;;
        sqlite) echo "sqlite3 $SQLITE_ROWS rows" ;;
        threads) echo "$THREADS futex threads" ;;
        find) echo "find $FIND_DIR ($find_files files)" ;;
        http) echo "http GET ×$HTTP_REQUESTS" ;;
    esac
}

mode_label() {
    case $1 in
        traced) echo "run (trace)" ;;
        tracefile) echo "trace --trace-file" ;;
        warm) echo "run (trace) via warm daemon" ;;
        capfloor) echo "floor + captures" ;;
        *) echo "$1" ;;
    esac
}

# Prints the grant lines the policy needs so that WORKLOAD reads PATH ($3: the access list),
# nothing when strict already lets every program read it.
grant_unless_strict_reads() {
    local workload=$1 path=$2 access=$3 root
    for root in "${STRICT_READ_ROOTS[@]}"; do
        [[ $path == "$root" || $path == "$root"/* ]] && return 0
    done
    printf '    - id: %s\n      paths: ["%s"]\n      access: [%s]\n' "$workload" "$path" "$access"
}

# Writes $WORK/strict-WORKLOAD.yaml: what WORKLOAD needs beyond the strict profile. Everything
# the harness writes (timeit's result, tar's archive, the database) is in the working
# directory, which strict grants already.
write_strict_policy() {
    local workload=$1 files
    files=$(
        printf '    - id: harness\n      paths: ["%s"]\n      access: [read, exec]\n' "$BUILD"
        case $workload in
            # tar -C opens the tree's parent directory, so that is what it must be able to read
            tar) grant_unless_strict_reads tar "$(dirname "$tree_dir")" read ;;
            python) grant_unless_strict_reads python "$(realpath "$python_prefix")" "read, exec" ;;
            find) grant_unless_strict_reads find "$(realpath "$FIND_DIR")" read ;;
        esac
    )
    {
        echo "meridian-policy: 1"
        echo "name: bench-$workload"
        echo "description: what the $workload workload of bench/workloads/run.sh needs beyond strict"
        echo "files:"
        echo "  allow:"
        echo "$files"
        if [[ $workload == http ]]; then
            echo "network:"
            echo "  families: [unix, inet]"
            echo "  tcp:"
            echo "    connect: [$http_port]"
        fi
    } >"$WORK/strict-$workload.yaml"
}

if has_mode strict; then
    for workload in true "${workloads[@]}"; do
        write_strict_policy "$workload"
    done
    "$MERIDIAN" policy check "$WORK"/strict-*.yaml >"$WORK/check.txt" 2>&1 \
        || die "a generated strict policy does not check: $(cat "$WORK/check.txt")"
fi

# ---- measuring -----------------------------------------------------------------------
declare -A inner_ns outer_ns calls journal_calls journal_denied trace_lines

# Runs "$@" (the command of WORKLOAD) in MODE and times the whole command from outside
# (last_outer, ns) and, unless TIME_GUEST=false, the guest region with timeit inside the
# sandbox (last_inner, ns). Runs in $WORK, the guest's working directory.
run_timed() {
    local mode=$1 workload=$2; shift 2
    local -a guest=("$@") full
    local key=$workload-$mode
    ${TIME_GUEST:-true} && guest=("$BUILD/timeit" "$WORK/inner.ns" "$@")
    case $mode in
        native) full=("${guest[@]}") ;;
        floor) full=("$BUILD/notify-floor" "${guest[@]}") ;;
        capfloor) full=("$BUILD/notify-floor" -c "${guest[@]}") ;;
        bwrap) full=("$bwrap_bin" "${BWRAP_OPTIONS[@]}" -- "${guest[@]}") ;;
        *)
            rm -rf "$WORK/journal-$key"
            # Embedded unless warm: a daemon the user runs must not turn the other modes into clients.
            if [[ $mode == warm ]]; then
                full=(/usr/bin/env "MERIDIAN_STATE=$WORK/daemon-state" "$MERIDIAN" run)
            else
                full=("$MERIDIAN" run --embedded)
            fi
            full+=(--journal "$WORK/journal-$key" --profile "$(profile_of "$mode")")
            [[ $mode == strict ]] && full+=(--policy "$WORK/strict-$workload.yaml")
            [[ $mode == tracefile ]] && full+=(--trace-file "$WORK/trace-$key.txt")
            full+=("${meridian_extra[@]}" -- "${guest[@]}")
            ;;
    esac
    rm -f "$WORK/inner.ns" "$WORK/outer.ns"
    local status=0
    (cd "$WORK" && "$BUILD/timeit" "$WORK/outer.ns" "${full[@]}") >/dev/null 2>"$WORK/stderr.txt" || status=$?
    if ((status != 0)) || { ${TIME_GUEST:-true} && [[ ! -s $WORK/inner.ns ]]; }; then
        echo "run.sh: $workload failed in mode $mode (exit $status): ${full[*]}" >&2
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
geometric_mean() { printf '%s\n' "$@" | awk '{ sum += log($1) } END { printf "%.2f", exp(sum / NR) }'; }
at_most() { awk -v value="$1" -v limit="$2" 'BEGIN { print (value <= limit) ? "✓" : "✗" }'; }

# Cold start, before anything else runs a JVM: the very first `meridian run -- /bin/true`
# of this invocation (in the first Meridian mode), then fresh JVMs with a warm page cache.
declare -a true_native=() true_floor=() true_meridian=()
true_first=""
cold_mode=""
for mode in "${selected_meridian_modes[@]}"; do
    [[ $mode != warm ]] && { cold_mode=$mode; break; }
done
if [[ -n $cold_mode ]]; then
    # What the first run finds: the launcher keeps the Felix bundle cache between runs (in
    # var/ of a writable home, else in the user's cache) and may ship an AOT cache.
    felix_cache="none in $DISTRIBUTION/var (may be under ${XDG_CACHE_HOME:-~/.cache}/meridian)"
    [[ -d $DISTRIBUTION/var/felix-cache ]] && felix_cache="present ($DISTRIBUTION/var/felix-cache)"
    aot_cache=absent
    [[ -f $DISTRIBUTION/lib/meridian.aot ]] && aot_cache="present (lib/meridian.aot)"
    echo "run.sh: cold start: meridian run --profile $(profile_of "$cold_mode") -- /bin/true" >&2
    for ((rep = 0; rep <= repetitions; rep++)); do
        TIME_GUEST=false run_timed "$cold_mode" true /bin/true
        if ((rep == 0)); then true_first=$last_outer; else true_meridian+=("$last_outer"); fi
        TIME_GUEST=false run_timed native true /bin/true
        ((rep > 0)) && true_native+=("$last_outer")
        TIME_GUEST=false run_timed floor true /bin/true
        ((rep > 0)) && true_floor+=("$last_outer")
    done
fi

# Warm-up (page cache, .pyc files, the database file) and the number of system calls, from
# the floor, which is notified of every one.
for workload in "${workloads[@]}"; do
    workload_command "$workload"
    (cd "$WORK" && "${workload_argv[@]}") >/dev/null 2>"$WORK/native.txt" \
        || die "$workload failed natively: ${workload_argv[*]}: $(tail -n 5 "$WORK/native.txt")"
    (cd "$WORK" && "$BUILD/notify-floor" -v "${workload_argv[@]}") >/dev/null 2>"$WORK/count.txt" \
        || die "$workload failed under notify-floor: $(tail -n 5 "$WORK/count.txt")"
    calls[$workload]=$(sed -n 's/^notify-floor: \([0-9]*\) notifications.*/\1/p' "$WORK/count.txt")
    [[ -n ${calls[$workload]} ]] || die "no notification count from notify-floor -v"
    sync_wake_up=$(sed -n 's/.*(sync wake-up \(on\|off\)).*/\1/p' "$WORK/count.txt")
done

# The warm mode's daemon, warmed up by three runs of every workload (its JIT compiles the
# guest path as a daemon that served a while has).
if has_mode warm; then
    "$MERIDIAN" daemon --state "$WORK/daemon-state" 2>"$WORK/daemon.log" &
    daemon=$!
    for _ in $(seq 300); do
        [[ -S $WORK/daemon-state/control.sock ]] && MERIDIAN_STATE=$WORK/daemon-state "$MERIDIAN" ps >/dev/null 2>&1 && break
        kill -0 "$daemon" 2>/dev/null || die "the daemon of the warm mode exited: $(tail -n 5 "$WORK/daemon.log")"
        sleep 0.1
    done
    echo "run.sh: warming up the daemon" >&2
    for _ in 1 2 3; do
        for workload in "${workloads[@]}"; do
            workload_command "$workload"
            run_timed warm "$workload" "${workload_argv[@]}"
        done
    done
fi

for ((rep = 1; rep <= repetitions; rep++)); do
    for workload in "${workloads[@]}"; do
        workload_command "$workload"
        for mode in "${modes[@]}"; do
            echo "run.sh: repetition $rep/$repetitions: $workload, $mode" >&2
            run_timed "$mode" "$workload" "${workload_argv[@]}"
            inner_ns[$workload:$mode]+=" $last_inner"
            outer_ns[$workload:$mode]+=" $last_outer"
        done
    done
done

# From the last Meridian runs: the calls the supervisor saw and denied (journal), trace lines.
for workload in "${workloads[@]}"; do
    for mode in "${selected_meridian_modes[@]}"; do
        listing=$("$MERIDIAN" journal --journal "$WORK/journal-$workload-$mode" --sandboxes --json 2>&1) || true
        journal_calls[$workload:$mode]=$(sed -n 's/.*"calls":\([0-9]*\).*/\1/p' <<<"$listing" | head -n 1)
        journal_denied[$workload:$mode]=$(sed -n 's/.*"denied":\([0-9]*\).*/\1/p' <<<"$listing" | head -n 1)
        [[ $mode == tracefile ]] && trace_lines[$workload]=$(wc -l <"$WORK/trace-$workload-$mode.txt")
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

# Markdown header and rule rows: "| $1 |" then one column per mode accepted by the test $2.
mode_columns() {
    local first=$1 accepts=$2 mode
    header="| $first |"; rule="|---|"
    for mode in "${modes[@]}"; do
        $accepts "$mode" && { header+=" $(mode_label "$mode") |"; rule+="---:|"; }
    done
    return 0
}
any_mode() { return 0; }
not_native() { [[ $1 != native ]]; }
notifies_all() { [[ $1 == floor || $1 == capfloor || $1 == traced || $1 == tracefile || $1 == warm ]]; }

report() {
    local mode workload row
    echo "# Meridian whole-process benchmark, $(date '+%Y-%m-%d %H:%M %Z')"
    echo
    echo "- Command: \`$INVOCATION\` (revision $revision)"
    echo "- Machine: $cpu_model, $(nproc) CPUs, $memory, Linux $(uname -r), load average $LOAD_AT_START at the start, $(cut -d' ' -f1-3 /proc/loadavg) at the end"
    has_mode floor && echo "- floor: notify-floor (poll → RECV → SEND CONTINUE), SYNC_WAKE_UP ${sync_wake_up:-?}"
    has_mode capfloor && echo "- floor + captures: notify-floor -c (the same, plus process_vm_readv of each path argument and the first 64 bytes of a write, then NOTIF_ID_VALID)"
    has_mode bwrap && echo "- bwrap: $("$bwrap_bin" --version), \`bwrap ${BWRAP_OPTIONS[*]} -- …\`: namespaces only, no per-call checks"
    $uses_meridian && echo "- Meridian: $DISTRIBUTION, profiles $known_profiles${MERIDIAN_RUN_ARGS:+, extra run options: $MERIDIAN_RUN_ARGS}; strict runs add the policy files printed below"
    { has_workload python || has_workload http; } && echo "- Python: $PYTHON ($python_version)"
    has_workload http && echo "- HTTP server: \`$PYTHON -m http.server --bind 127.0.0.1\` on port $http_port, outside the sandbox; a 3 KiB page"
    echo "- $repetitions repetition(s) per cell, interleaved; the tables show the ${statistic} (raw samples at the end). Guest region = timeit inside the sandbox, fork to wait. The machine is shared: compare within one report."
    echo

    declare -A med
    for workload in "${workloads[@]}"; do
        for mode in "${modes[@]}"; do
            med[$workload:$mode]=$(statistic_of "${inner_ns[$workload:$mode]}")
        done
    done

    echo "## Guest-region time, $statistic ms (× native)"
    echo
    echo "*system calls*: all calls of the workload, as notify-floor counted them."
    echo
    mode_columns "workload | system calls" any_mode
    echo "$header"; echo "${rule/|---|/|---|---:|}"
    for workload in "${workloads[@]}"; do
        row="| $(workload_label "$workload") | ${calls[$workload]} |"
        for mode in "${modes[@]}"; do
            row+=" $(ms "${med[$workload:$mode]}")"
            has_mode native && [[ $mode != native ]] && row+=" ($(ratio "${med[$workload:$mode]}" "${med[$workload:native]}")×)"
            row+=" |"
        done
        echo "$row"
    done
    if has_mode native && ((${#modes[@]} > 1)); then
        row="| **geometric mean, × native** | |"
        for mode in "${modes[@]}"; do
            if [[ $mode == native ]]; then row+=" 1 |"; continue; fi
            local -a ratios=()
            for workload in "${workloads[@]}"; do ratios+=("$(ratio "${med[$workload:$mode]}" "${med[$workload:native]}")"); done
            geomean[$mode]=$(geometric_mean "${ratios[@]}")
            row+=" **${geomean[$mode]}** |"
        done
        echo "$row"
    fi
    echo

    if has_mode native && { has_mode default || has_mode strict; }; then
        echo "## Issue 3 target: \`default\` ≤ 1.05× native (geometric mean), no workload above 1.2×"
        echo
        echo "*supervisor calls*: calls the Meridian supervisor was notified of (\`meridian journal --sandboxes\`, last run; timeit's own calls included), *denied* of those. Under \`default\` the kernel layers decide everything but denials; under \`strict\` opens are notified (glob deny list) and whatever the policy sends to the supervisor."
        echo
        header="| workload |"; rule="|---|"
        has_mode bwrap && { header+=" bwrap |"; rule+="---:|"; }
        has_mode default && { header+=" default | ≤ 1.2× | supervisor calls (denied) |"; rule+="---:|:---:|---:|"; }
        has_mode strict && { header+=" strict | supervisor calls (denied) |"; rule+="---:|---:|"; }
        echo "$header"; echo "$rule"
        for workload in "${workloads[@]}"; do
            row="| $(workload_label "$workload") |"
            has_mode bwrap && row+=" $(ratio "${med[$workload:bwrap]}" "${med[$workload:native]}")× |"
            for mode in default strict; do
                has_mode $mode || continue
                local r
                r=$(ratio "${med[$workload:$mode]}" "${med[$workload:native]}")
                row+=" $r× |"
                [[ $mode == default ]] && row+=" $(at_most "$r" 1.2) |"
                row+=" ${journal_calls[$workload:$mode]:-?} (${journal_denied[$workload:$mode]:-?}) |"
            done
            echo "$row"
        done
        row="| **geometric mean** |"
        has_mode bwrap && row+=" ${geomean[bwrap]}× |"
        has_mode default && row+=" **${geomean[default]}×** | $(at_most "${geomean[default]}" 1.05) ≤ 1.05× | |"
        has_mode strict && row+=" ${geomean[strict]}× | |"
        echo "$row"
        echo
    fi

    if has_mode native && any_notifies_all; then
        echo "## Per-call overhead, µs: (mode − native) / system calls (modes notified of every call)"
        echo
        mode_columns workload notifies_all
        echo "$header"; echo "$rule"
        for workload in "${workloads[@]}"; do
            row="| $(workload_label "$workload") |"
            for mode in "${modes[@]}"; do
                notifies_all "$mode" && row+=" $(per_call_us "${med[$workload:$mode]}" "${med[$workload:native]}" "${calls[$workload]}") |"
            done
            echo "$row"
        done
        echo
    fi

    if has_mode floor && { has_mode traced || has_mode tracefile || has_mode warm; }; then
        echo "## Meridian trace profile vs the floor (guest region; issue 2 target: traced run ≤ 1.2× floor)"
        echo
        header="| workload |"; rule="|---|"
        for mode in capfloor traced tracefile warm; do
            has_mode $mode && { header+=" $(mode_label "$mode") / floor |"; rule+="---:|"; }
        done
        has_mode capfloor && has_mode warm && { header+=" warm daemon / floor + captures |"; rule+="---:|"; }
        echo "$header journal calls (run / trace-file) | trace lines |"
        echo "$rule---:|---:|"
        for workload in "${workloads[@]}"; do
            row="| $(workload_label "$workload") |"
            for mode in capfloor traced tracefile warm; do
                has_mode $mode || continue
                local r
                r=$(ratio "${med[$workload:$mode]}" "${med[$workload:floor]}")
                [[ $mode == capfloor ]] && row+=" $r |" || row+=" $r $(at_most "$r" 1.2) |"
            done
            has_mode capfloor && has_mode warm && row+=" $(ratio "${med[$workload:warm]}" "${med[$workload:capfloor]}") |"
            row+=" ${journal_calls[$workload:traced]:-–} / ${journal_calls[$workload:tracefile]:-–} | ${trace_lines[$workload]:-–} |"
            echo "$row"
        done
        echo
    fi

    echo "## Whole-command wall time, $statistic ms (JVM start-up included)"
    echo
    mode_columns workload any_mode
    echo "$header"; echo "$rule"
    for workload in "${workloads[@]}"; do
        row="| $(workload_label "$workload") |"
        for mode in "${modes[@]}"; do row+=" $(ms "$(statistic_of "${outer_ns[$workload:$mode]}")") |"; done
        echo "$row"
    done
    echo

    if [[ -n $cold_mode ]]; then
        echo "## \`meridian run --profile $(profile_of "$cold_mode") -- /bin/true\`, cold (fresh JVM each time, warm page cache)"
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

    if has_mode strict; then
        echo "## Policies added to \`--profile strict\`, per workload"
        echo
        echo "Written by run.sh for this run (the working directory, $WORK, is strict's \${CWD})."
        echo
        for workload in "${workloads[@]}"; do
            echo '```yaml'
            cat "$WORK/strict-$workload.yaml"
            echo '```'
        done
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
any_notifies_all() {
    local mode
    for mode in "${modes[@]}"; do notifies_all "$mode" && return 0; done
    return 1
}
declare -A geomean

report | tee "$results_file"
echo "run.sh: results written to $results_file" >&2
