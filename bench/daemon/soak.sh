#!/usr/bin/env bash
# Soak test of the daemon (issue 4): many concurrent sandboxes running syscall-heavy programs for
# a long time; every output checked; the daemon's RSS, open descriptors and threads sampled
# before, during and after. Prints a Markdown report and writes it to
# bench/daemon/results-soak-<date>.md. See bench/README.md.
set -euo pipefail

readonly HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
readonly ROOT=$(cd "$HERE/../.." && pwd)
readonly INVOCATION="bench/daemon/soak.sh${*:+ $*}"

usage() {
    cat <<USAGE
Usage: bench/daemon/soak.sh [-c CONCURRENT] [-d SECONDS] [-p PROFILE] [-o FILE]

Starts a daemon on a fresh state directory and keeps CONCURRENT sandboxes (default 50) busy for
SECONDS (default 600), each worker starting one after the other through the control API (curl
on the Unix socket), round-robin over: getppid-loop (20 000 calls, self-checking), futex-threads
(4 threads), a shell loop piped to sha256sum, tar of /usr/include/linux piped to sha256sum, and
python3 hashing 1 MB. Each output is compared with the same command's native output.
PROFILE (default trace: every call through the supervisor, the bus and the journal) is the
policy profile of every sandbox. Samples the daemon's RSS, descriptors and threads every 30 s.

Options: -c N, -d SECONDS, -p PROFILE, -o FILE (default bench/daemon/results-soak-<date>.md)
Environment: MERIDIAN_HOME (default distribution/target/meridian), CC (default gcc).
USAGE
}

concurrent=50
duration=600
profile=trace
out=""
while getopts "c:d:p:o:h" option; do
    case $option in
        c) concurrent=$OPTARG ;;
        d) duration=$OPTARG ;;
        p) profile=$OPTARG ;;
        o) out=$OPTARG ;;
        h) usage; exit 0 ;;
        *) usage >&2; exit 2 ;;
    esac
done
[[ $concurrent =~ ^[1-9][0-9]*$ && $duration =~ ^[1-9][0-9]*$ ]] \
    || { echo "soak.sh: -c and -d need positive numbers" >&2; exit 2; }
out=${out:-$HERE/results-soak-$(date -u +%Y-%m-%d).md}

readonly HOME_DIR=${MERIDIAN_HOME:-$ROOT/distribution/target/meridian}
readonly MERIDIAN=$HOME_DIR/bin/meridian
[[ -x $MERIDIAN ]] || { echo "soak.sh: no $MERIDIAN (build with: mvn -o -q package -DskipTests)" >&2; exit 1; }
command -v jq >/dev/null || { echo "soak.sh: jq is missing (apt-get install jq)" >&2; exit 1; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/meridian-soak.XXXXXX")
readonly WORK STATE=$WORK/state BUILD=$WORK/bin
readonly SOCKET=$STATE/control.sock
daemon_pid=""
succeeded=false
cleanup() {
    jobs -p | xargs -r kill 2>/dev/null || true
    if [[ -n $daemon_pid ]]; then
        kill -TERM "$daemon_pid" 2>/dev/null || true
        wait "$daemon_pid" 2>/dev/null || true
    fi
    if $succeeded; then
        rm -rf "$WORK"
    else
        echo "soak.sh: kept $WORK (daemon.log, out/, samples) for a look" >&2
    fi
}
trap cleanup EXIT

mkdir -p "$BUILD" "$WORK/out"
cc=${CC:-gcc}
"$cc" -O2 -Wall -o "$BUILD/getppid-loop" "$ROOT/bench/workloads/getppid-loop.c"
"$cc" -O2 -Wall -pthread -o "$BUILD/futex-threads" "$ROOT/bench/workloads/futex-threads.c"
python=$(command -v /usr/bin/python3 || command -v python3)

readonly WORKLOADS=(
    "$BUILD/getppid-loop 20000 && echo getppid-ok"
    "$BUILD/futex-threads 4 200 2000 && echo futex-ok"
    "i=0; while [ \$i -lt 300 ]; do echo line \$i; i=\$((i + 1)); done | sha256sum"
    "tar -cf - -C /usr/include linux | sha256sum"
    "$python -c 'import hashlib; print(hashlib.sha256(b\"x\" * 1000000).hexdigest())'"
)
for i in "${!WORKLOADS[@]}"; do
    sh -c "${WORKLOADS[$i]}" >"$WORK/expected-$i" 2>&1 || { echo "soak.sh: workload $i fails natively" >&2; exit 1; }
done

"$MERIDIAN" daemon --state "$STATE" 2>"$WORK/daemon.log" &
daemon_pid=$!
for _ in $(seq 300); do
    curl -sf --unix-socket "$SOCKET" http://meridian/v1/ready >/dev/null 2>&1 && break
    kill -0 "$daemon_pid" 2>/dev/null || { cat "$WORK/daemon.log" >&2; echo "soak.sh: the daemon exited" >&2; exit 1; }
    sleep 0.1
done
# The JVM of the daemon (bin/meridian execs it, so it is the pid started above).
java_pid=$daemon_pid

# The live heap after a full GC, KiB: unlike RSS, it grows only with what the daemon keeps.
jcmd=$(dirname "$(readlink -f "/proc/$java_pid/exe")")/jcmd
live_heap() {
    "$jcmd" "$java_pid" GC.run >/dev/null 2>&1 || { echo "?"; return; }
    # Every generation's (Serial: DefNew + Tenured; G1: one heap line), not their spaces' lines.
    "$jcmd" "$java_pid" GC.heap_info 2>/dev/null \
        | awk 'match($0, / total [0-9]+K, used [0-9]+K/) { split(substr($0, RSTART, RLENGTH), f, /[ K,]+/); sum += f[5] }
               END { print sum + 0 }'
}

sample() { # LABEL [HEAP]: one line "label seconds rss_kib fds threads heap_kib"
    local rss fds threads
    if ! kill -0 "$java_pid" 2>/dev/null; then
        echo "soak.sh: the daemon died; its log ends:" >&2
        tail -n 40 "$WORK/daemon.log" >&2
        exit 1
    fi
    rss=$(awk '/^VmRSS:/ { print $2 }' "/proc/$java_pid/status")
    fds=$(ls "/proc/$java_pid/fd" 2>/dev/null | wc -l)
    threads=$(ls "/proc/$java_pid/task" 2>/dev/null | wc -l)
    echo "$1 $SECONDS $rss $fds $threads ${2:--}" >>"$WORK/samples"
}

api() { # METHOD PATH [BODY]
    curl -sS --unix-socket "$SOCKET" -X "$1" -H 'Content-Type: application/json' \
        ${3:+--data-binary "$3"} "http://meridian/v1$2"
}

worker() { # N: runs sandboxes until the deadline; one line per run in $WORK/out/worker-N
    local n=$1 i=0 kind body id info status
    while ((SECONDS < deadline)); do
        kind=$(((n + i) % ${#WORKLOADS[@]}))
        body=$(jq -cn --arg cmd "${WORKLOADS[$kind]} > $WORK/out/w$n 2>&1" --arg cwd "$WORK" --arg profile "$profile" \
            '{command: ["sh", "-c", $cmd], cwd: $cwd, stdio: "null", env: {PATH: "/usr/bin:/bin"},
              policies: [{profile: $profile}]}')
        id=$(api POST /sandboxes "$body" 2>>"$WORK/out/curl-$n" | jq -r '.id // empty')
        if [[ -z $id ]]; then
            echo "fail $kind create" >>"$WORK/out/worker-$n"
        else
            info=$(api GET "/sandboxes/$id/wait?timeout=300000" 2>>"$WORK/out/curl-$n")
            status=$(jq -r '.exit.status // "none"' <<<"$info")
            if [[ $status == 0 ]] && cmp -s "$WORK/out/w$n" "$WORK/expected-$kind"; then
                echo "ok $kind" >>"$WORK/out/worker-$n"
            else
                echo "fail $kind status=$status $(head -c 200 "$WORK/out/w$n" | tr '\n' ' ')" >>"$WORK/out/worker-$n"
            fi
        fi
        i=$((i + 1))
    done
}

sample before "$(live_heap)"
deadline=$((SECONDS + duration))
for ((n = 0; n < concurrent; n++)); do
    worker "$n" &
done
while ((SECONDS < deadline)); do
    sleep 30
    sample during
done
wait $(jobs -p | grep -vx "$daemon_pid") 2>/dev/null || true
sleep 10 # let finished sandboxes' threads and descriptors go
sample after "$(live_heap)"

total=$(cat "$WORK"/out/worker-* | wc -l)
failed=$(cat "$WORK"/out/worker-* | grep -c '^fail' || true)
retained=$(api GET "/sandboxes?all=true" | jq '.sandboxes | length')
{
    echo "# Daemon soak — $(date -u +%Y-%m-%dT%H:%MZ)"
    echo
    echo "\`$INVOCATION\` on $(nproc) CPUs, kernel $(uname -r): $concurrent concurrent sandboxes for ${duration} s,"
    echo "profile \`$profile\`."
    echo
    echo "- sandboxes run: $total; wrong output or status: $failed"
    echo "- sandboxes the daemon lists afterwards (\`?all=true\`, bounded by retain.finished): $retained"
    echo
    echo "| sample | at s | RSS MiB | open fds | threads | live heap after a full GC, MiB |"
    echo "|---|---|---|---|---|---|"
    awk '{ printf "| %s | %d | %.1f | %d | %d | %s |\n", $1, $2, $3 / 1024, $4, $5,
           ($6 == "-" || $6 == "?") ? $6 : sprintf("%.1f", $6 / 1024) }' "$WORK/samples"
    if ((failed > 0)); then
        echo
        echo "Failures (first 20):"
        echo
        grep -h '^fail' "$WORK"/out/worker-* | head -20 | sed 's/^/    /'
    fi
} | tee "$out"
echo
echo "results written to $out"
((failed == 0)) && succeeded=true
$succeeded
