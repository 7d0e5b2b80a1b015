#!/usr/bin/env bash
# Build step of the distribution (package phase): writes lib/meridian.aot, the AOT cache (JEP 483/514) of the classes a
# start-up loads and links (JDK, classpath, and the bundles' classes too), by running bin/meridian once with
# -XX:AOTCacheOutput. The training run is a traced `meridian run` of find over /usr/lib, eight times: besides
# start-up it records the method profiles of the guest path (JEP 515), so a short-lived sandbox gets
# compiled supervisor code sooner instead of paying for the interpreter on its first thousands of calls. Where this
# machine cannot run a sandbox it falls back to `meridian --help`. Either run goes through the real bundles, so it doubles as a smoke test of the assembled tree.
#
# Then lib/meridian-client.aot, the cache of a client command (bin/meridian picks it for those): a client `run` of
# /bin/true through a daemon started for it on a temporary state directory. A separate cache because an AOT cache's
# classes are all loaded at start-up, and the client needs a few hundred of the full cache's thousands.
set -euo pipefail

tree=$1
cache=$tree/lib/meridian.aot
client_cache=$tree/lib/meridian-client.aot
log=$tree/../aot-training.log
client_log=$tree/../aot-training-client.log

train() {
    rm -f "$cache"
    rm -rf "$tree/var"
    MERIDIAN_JAVA_OPTS="-XX:AOTCacheOutput=$cache" "$tree/bin/meridian" "$@" > "$log" 2>&1
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

# The client cache. Without a daemon here (e.g. no platform can run sandboxes) there is none, and client commands run
# without a cache: slower, not broken.
rm -f "$client_cache"
daemon_state=$(mktemp -d "${TMPDIR:-/tmp}/meridian-aot-daemon.XXXXXX")
"$tree/bin/meridian" daemon --state "$daemon_state" < /dev/null > "$client_log" 2>&1 &
daemon_pid=$!
stop_daemon() {
    kill -TERM "$daemon_pid" 2> /dev/null || true
    wait "$daemon_pid" 2> /dev/null || true
    rm -rf "$daemon_state" "$tree/var"
}
trap stop_daemon EXIT
ready=false
for (( tries = 0; tries < 300; tries++ )); do
    # Ready, not just listening: a sandbox needs the platform, the bus and the policy engine bound.
    if [[ -S $daemon_state/control.sock ]] && { ! command -v curl > /dev/null \
            || curl -sf --unix-socket "$daemon_state/control.sock" http://meridian/v1/ready > /dev/null; }; then
        ready=true
        break
    fi
    kill -0 "$daemon_pid" 2> /dev/null || break
    sleep 0.1
done
if $ready && MERIDIAN_JAVA_OPTS="-XX:AOTCacheOutput=$client_cache" "$tree/bin/meridian" run --state "$daemon_state" \
        -- /bin/true < /dev/null >> "$client_log" 2>&1 && [[ -s $client_cache ]]; then
    :
else
    rm -f "$client_cache"
    echo "AOT training: no client cache (no daemon came up, or the client run failed; see $client_log)" >&2
fi
