#!/usr/bin/env bash
# Build step of the distribution (package phase): writes lib/meridian.aot, the AOT cache (JEP 483/514) of the classes a
# start-up loads and links (JDK, classpath, and the bundles' classes too), by running bin/meridian once with
# -XX:AOTCacheOutput. The training run is a traced `meridian run` of find over /usr/lib, eight times: besides
# start-up it records the method profiles of the guest path (JEP 515), so a short-lived sandbox gets
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
