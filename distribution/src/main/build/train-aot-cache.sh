#!/usr/bin/env bash
# Build step of the distribution (package phase): writes lib/meridian.aot, the AOT cache (JEP 483/514) of the classes a
# start-up loads and links (JDK, classpath, and the bundles' classes too), by running bin/meridian once with
# -XX:AOTCacheOutput. The training run is `meridian run -- true`, the command users wait for (a cache trained on it
# makes `run` ~20% faster than one trained on --help); where this machine cannot run a sandbox it falls back to
# `meridian --help`. Either run goes through the real bundles, so it doubles as a smoke test of the assembled tree.
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

if ! train run -- true; then
    echo "AOT training: 'meridian run -- true' failed here ($(grep -m1 '^meridian:' "$log" || tail -n1 "$log"));" \
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
