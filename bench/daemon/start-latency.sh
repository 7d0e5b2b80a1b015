#!/usr/bin/env bash
# Start latency through a warm Meridian daemon (issue 4), beside the same program natively,
# under bubblewrap and under the bare C seccomp-notify launcher, all in one run. Prints a
# Markdown report and writes it to bench/daemon/results-start-<date>.md. See bench/README.md.
set -euo pipefail

readonly HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
readonly ROOT=$(cd "$HERE/../.." && pwd)
readonly INVOCATION="bench/daemon/start-latency.sh${*:+ $*}"
readonly BWRAP_OPTIONS=(--dev-bind / / --unshare-pid --unshare-ipc --unshare-uts --die-with-parent)

usage() {
    cat <<USAGE
Usage: bench/daemon/start-latency.sh [-r N] [-o FILE]

Starts a daemon on a fresh state directory, warms it up, then measures (N runs each, interleaved
by mode, median / p90 / min):
  api-first   request → the guest's first system call: POST /v1/sandboxes of first-call (a static
              program whose first instruction to enter the kernel is clock_gettime), profile default
  api-first-trace   the same under --profile trace (every call through the supervisor)
  api-true    request → exit reported (POST + GET .../wait) for /bin/true, profile default
  client      the whole \`meridian run -- /bin/true\` client command through the daemon
  embedded    the whole \`meridian run --embedded -- /bin/true\` (no daemon: boots its own framework)
  native      /bin/true
  bwrap       bwrap ${BWRAP_OPTIONS[*]} -- /bin/true
  floor       notify-floor /bin/true (a bare C seccomp-notify launcher and supervisor)
Targets (issue 4): api-first ≤ 12 ms, client ≤ 150 ms.

Options: -r N runs per mode (default 30); -o FILE results file.
Environment: MERIDIAN_HOME (default distribution/target/meridian), CC (default gcc).
USAGE
}

runs=30
out=""
while getopts "r:o:h" option; do
    case $option in
        r) runs=$OPTARG ;;
        o) out=$OPTARG ;;
        h) usage; exit 0 ;;
        *) usage >&2; exit 2 ;;
    esac
done
[[ $runs =~ ^[1-9][0-9]*$ ]] || { echo "start-latency.sh: -r needs a positive number" >&2; exit 2; }
out=${out:-$HERE/results-start-$(date -u +%Y-%m-%d).md}

readonly HOME_DIR=${MERIDIAN_HOME:-$ROOT/distribution/target/meridian}
readonly MERIDIAN=$HOME_DIR/bin/meridian
[[ -x $MERIDIAN ]] || { echo "start-latency.sh: no $MERIDIAN (build with: mvn -o -q package -DskipTests)" >&2; exit 1; }
if ! command -v bwrap >/dev/null; then
    if [[ $EUID -eq 0 ]]; then apt-get install -y -qq bubblewrap >/dev/null; else
        echo "start-latency.sh: bubblewrap is missing (apt-get install bubblewrap)" >&2; exit 1; fi
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/meridian-start.XXXXXX")
readonly WORK STATE=$WORK/state BUILD=$WORK/bin
daemon_pid=""
cleanup() {
    if [[ -n $daemon_pid ]]; then
        kill -TERM "$daemon_pid" 2>/dev/null || true
        wait "$daemon_pid" 2>/dev/null || true
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT

mkdir -p "$BUILD"
cc=${CC:-gcc}
"$cc" -O2 -Wall -static -nostdlib -fno-stack-protector -o "$BUILD/first-call" "$HERE/first-call.c"
"$cc" -O2 -Wall -o "$BUILD/api-start" "$HERE/api-start.c"
"$cc" -O2 -Wall -o "$BUILD/timeit" "$ROOT/bench/workloads/timeit.c"
"$cc" -O2 -Wall -o "$BUILD/notify-floor" "$ROOT/bench/workloads/notify-floor.c"

"$MERIDIAN" daemon --state "$STATE" 2>"$WORK/daemon.log" &
daemon_pid=$!
for _ in $(seq 300); do
    if [[ -S $STATE/control.sock ]] \
            && curl -sf --unix-socket "$STATE/control.sock" http://meridian/v1/ready >/dev/null; then
        break
    fi
    kill -0 "$daemon_pid" 2>/dev/null || { cat "$WORK/daemon.log" >&2; echo "start-latency.sh: the daemon exited" >&2; exit 1; }
    sleep 0.1
done
curl -sf --unix-socket "$STATE/control.sock" http://meridian/v1/ready >/dev/null \
    || { cat "$WORK/daemon.log" >&2; echo "start-latency.sh: the daemon is not ready after 30 s" >&2; exit 1; }

# Warm-up: the JIT compiles the daemon's request and launch paths, as in a daemon that served a while.
"$BUILD/api-start" "$STATE/control.sock" 100 "$WORK" default "$BUILD/first-call" >/dev/null
"$BUILD/api-start" "$STATE/control.sock" 30 "$WORK" trace "$BUILD/first-call" >/dev/null
for _ in $(seq 5); do MERIDIAN_STATE=$STATE "$MERIDIAN" run -- /bin/true; done

whole() { # MODE COMMAND...: appends the command's wall time in ns to $WORK/MODE
    local mode=$1 program
    shift
    program=$(command -v "$1") # timeit takes a path
    shift
    "$BUILD/timeit" "$WORK/t" "$program" "$@" >/dev/null
    awk '{ print $1 }' "$WORK/t" >>"$WORK/$mode"
}
for ((run = 0; run < runs; run++)); do
    read -r first total < <("$BUILD/api-start" "$STATE/control.sock" 1 "$WORK" default "$BUILD/first-call")
    echo "$first" >>"$WORK/api-first"
    read -r first total < <("$BUILD/api-start" "$STATE/control.sock" 1 "$WORK" trace "$BUILD/first-call")
    echo "$first" >>"$WORK/api-first-trace"
    read -r first total < <("$BUILD/api-start" "$STATE/control.sock" 1 "$WORK" default /bin/true)
    echo "$total" >>"$WORK/api-true"
    whole client env MERIDIAN_STATE="$STATE" "$MERIDIAN" run -- /bin/true
    whole native /bin/true
    whole bwrap bwrap "${BWRAP_OPTIONS[@]}" -- /bin/true
    whole floor "$BUILD/notify-floor" /bin/true
    if ((run < 10)); then
        whole embedded env MERIDIAN_STATE="$STATE" "$MERIDIAN" run --embedded -- /bin/true
    fi
done

stats() { # FILE: "median p90 min" in ms
    sort -n "$1" | awk '{ v[NR] = $1 } END {
        m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
        p = v[int(NR * 0.9 + 0.999)]
        printf "%.2f %.2f %.2f %d\n", m / 1e6, p / 1e6, v[1] / 1e6, NR }'
}
verdict() { # VALUE TARGET
    awk -v v="$1" -v t="$2" 'BEGIN { print (v <= t) ? "✓" : "✗" }'
}
{
    echo "# Start latency through a warm daemon — $(date -u +%Y-%m-%dT%H:%MZ)"
    echo
    echo "\`$INVOCATION\` on $(nproc) CPUs, kernel $(uname -r); times in ms."
    echo
    echo "| mode | median | p90 | min | runs | target |"
    echo "|---|---|---|---|---|---|"
    for mode in api-first api-first-trace api-true client embedded native bwrap floor; do
        read -r median p90 min count < <(stats "$WORK/$mode")
        target=""
        [[ $mode == api-first ]] && target="≤ 12 $(verdict "$median" 12)"
        [[ $mode == client ]] && target="≤ 150 $(verdict "$median" 150)"
        echo "| $mode | $median | $p90 | $min | $count | $target |"
    done
} | tee "$out"
echo
echo "results written to $out"
