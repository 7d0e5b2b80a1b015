#!/usr/bin/env bash
# Build step of the distribution (package phase): writes lib/meridian.aot, the AOT cache (JEP 483/514) of the classes a
# start-up loads and links (JDK, classpath, and the bundles' classes too), by running bin/meridian once with
# -XX:AOTCacheOutput. The training run is a client `run` and `ps` through a daemon started for it (below), then a
# traced embedded `meridian run` of find over /usr/lib, eight times: besides
# start-up it records the method profiles of the guest path (JEP 515), so a short-lived sandbox gets
# compiled supervisor code sooner instead of paying for the interpreter on its first thousands of calls. Where this
# machine cannot run a sandbox it falls back to `meridian --help`. Either run goes through the real bundles, so it doubles as a smoke test of the assembled tree.
set -euo pipefail

tree=$1
cache=$tree/lib/meridian.aot
log=$tree/../aot-training.log
daemon_log=$tree/../aot-training-daemon.log

# The client commands (run, ps through a daemon) are trained in the same JVM, before the embedded run: a daemon on a
# temporary state directory serves them, and the property meridian.aot.train.client tells the launcher where. One
# JVM, because the cache is written from one training run; the classpath is the same, so one cache serves both.
client_training=''
daemon_pid=''
daemon_state=''
start_training_daemon() {
    daemon_state=$(mktemp -d "${TMPDIR:-/tmp}/meridian-aot-daemon.XXXXXX")
    "$tree/bin/meridian" daemon --state "$daemon_state" < /dev/null > "$daemon_log" 2>&1 &
    daemon_pid=$!
    local tries
    for (( tries = 0; tries < 300; tries++ )); do
        # Ready, not just listening: a sandbox needs the platform, the bus and the policy engine bound.
        if [[ -S $daemon_state/control.sock ]] && { ! command -v curl > /dev/null \
                || curl -sf --unix-socket "$daemon_state/control.sock" http://meridian/v1/ready > /dev/null; }; then
            client_training="-Dmeridian.aot.train.client=$daemon_state"
            return 0
        fi
        kill -0 "$daemon_pid" 2> /dev/null || break
        sleep 0.1
    done
    echo "AOT training: no daemon came up (see $daemon_log); the client commands are not trained" >&2
    stop_training_daemon
}
stop_training_daemon() {
    if [[ -n $daemon_pid ]]; then
        kill -TERM "$daemon_pid" 2> /dev/null || true
        wait "$daemon_pid" 2> /dev/null || true
        daemon_pid=''
    fi
    [[ -z $daemon_state ]] || rm -rf "$daemon_state"
}
trap stop_training_daemon EXIT

train() {
    rm -f "$cache"
    rm -rf "$tree/var"
    # shellcheck disable=SC2086 # empty or one word
    MERIDIAN_JAVA_OPTS="-XX:AOTCacheOutput=$cache $client_training" "$tree/bin/meridian" "$@" < /dev/null > "$log" 2>&1
    local status=$?
    # The bundle cache of the training run holds this machine's paths; it is no part of the distribution.
    rm -rf "$tree/var"
    return $status
}

training_workload='for i in 1 2 3 4 5 6 7 8; do find /usr/lib -maxdepth 3; done > /dev/null'
# Every call of the training run goes through the supervisor (--profile trace), so the profiles cover the guest path;
# strict composed under it adds its deny globs, so opens are emulated and that path is trained too. The default profile
# would leave nearly every call to the kernel and train start-up only. A kernel without what strict needs (Landlock)
# trains on trace alone; a machine that cannot run a sandbox at all, on --help.
trained=false
rm -f "$cache"
start_training_daemon
for profiles in "--profile strict --profile trace" "--profile trace"; do
    # shellcheck disable=SC2086 # two words per profile option, on purpose
    if train run $profiles --trace-file /dev/null -- /bin/sh -c "$training_workload"; then
        trained=true
        break
    fi
    echo "AOT training: 'meridian run $profiles' failed here ($(grep -m1 '^meridian:' "$log" || tail -n1 "$log"))" >&2
done
if ! $trained; then
    echo "AOT training: training on 'meridian --help' instead" >&2
    if ! train --help; then
        echo "meridian --help failed in the AOT training run; its output ($log):" >&2
        cat "$log" >&2
        exit 1
    fi
fi
if [[ ! -s $cache ]]; then
    echo "the AOT training run wrote no $cache; its output ($log):" >&2
    cat "$log" >&2
    exit 1
fi
