#!/usr/bin/env bash
# Issue 5's benchmark: sustained events per second through bus + journal + traffic tap + a metrics
# listener, with zero loss, and the CPU it costs (bench/README.md; options: -h). Runs the bench
# module from the built tree and builds nothing: `mvn -o -q package -DskipTests` first.
# Extra classes for --listener (e.g. the observability bundle's jar and its dependencies):
#   MERIDIAN_BENCH_CLASSPATH=a.jar:b.jar bench/observability/events.sh --listener some.Listener
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
bench="$(dirname "$here")"
root="$(dirname "$bench")"

# One rule for finding Java, shared with bin/meridian and ./build.
# shellcheck source=../../distribution/src/main/dist/libexec/find-java.sh
source "$root/distribution/src/main/dist/libexec/find-java.sh"
meridian_find_java java || exit 1

classpath_file="$bench/target/bench-classpath.txt"
main_class="$bench/target/classes/dev/meridian/bench/observability/EventsPerSecond.class"
if [[ ! -f "$classpath_file" || ! -f "$main_class" ]]; then
    echo "events.sh: the bench module is not built; run: mvn -o -q package -DskipTests" >&2
    exit 1
fi
if [[ -n "$(find "$root" -path '*/src/main/*' -type f -newer "$classpath_file" -print -quit)" ]]; then
    echo "events.sh: warning: sources changed since the last build; the numbers are of the last build" >&2
fi

flags="$(sed -n 's:.*<meridian\.jvm\.flags>\(.*\)</meridian\.jvm\.flags>.*:\1:p' "$root/pom.xml")"
[[ -n "$flags" ]] || { echo "events.sh: no meridian.jvm.flags in $root/pom.xml" >&2; exit 1; }

classpath="$bench/target/classes:$(cat "$classpath_file")"
if [[ -n "${MERIDIAN_BENCH_CLASSPATH:-}" ]]; then
    classpath="$classpath:$MERIDIAN_BENCH_CLASSPATH"
fi
# shellcheck disable=SC2086 # the flags are a space-separated list of JVM options
exec "$MERIDIAN_JAVA_HOME/bin/java" $flags -cp "$classpath" dev.meridian.bench.observability.EventsPerSecond "$@"
