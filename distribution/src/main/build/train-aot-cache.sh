#!/usr/bin/env bash
# Build step of the distribution (package phase): writes lib/meridian.aot, the AOT cache (JEP 483/514) of the classes a
# start-up loads and links (JDK, classpath, and the bundles' classes too), by running bin/meridian once with
# -XX:AOTCacheOutput. The training run is a traced `meridian run` of ~34,000 system calls (find over /usr/lib, eight
# times): besides start-up it records the method profiles of the guest path (JEP 515), so a short-lived sandbox gets
# compiled supervisor code sooner instead of paying for the interpreter on its first thousands of calls. Where this
# machine cannot run a sandbox it falls back to `meridian --help`. Either run goes through the real bundles, so it doubles as a smoke test of the assembled tree.
set -euo pipefail

tree=$1
cache=$tree/lib/meridian.aot
log=$tree/../aot-training.log

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
# --profile trace: every call goes through the supervisor, so the profiles cover the guest path (the default
# profile leaves nearly every call to the kernel and would train start-up only).
if ! train run --profile trace --trace-file /dev/null -- /bin/sh -c "$training_workload"; then
    echo "AOT training: 'meridian run' failed here ($(grep -m1 '^meridian:' "$log" || tail -n1 "$log"));" \
        "training on 'meridian --help' instead" >&2
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
