# Finds a Java 25+ runtime. Sourced by bin/meridian and by the developer script ./build, so both follow one rule:
# $JAVA_HOME when it is Java 25 or newer, else the newest /usr/lib/jvm/* that is (by the JAVA_VERSION of its
# release file). Uses no subprocesses: bin/meridian runs this on every start.

MERIDIAN_MIN_JAVA=25

# meridian_java_rank DIR: sets REPLY to feature*10^6 + interim*10^3 + update of the JDK in DIR, from its release
# file (JAVA_VERSION="25.0.3"; "1.8.0_412" counts as 8); returns 1 if DIR has no readable version.
meridian_java_rank() {
    local line
    [[ -r $1/release ]] || return 1
    while IFS= read -r line; do
        if [[ $line =~ ^JAVA_VERSION=\"?(1\.)?([0-9]+)(\.([0-9]+))?(\.([0-9]+))? ]]; then
            REPLY=$(( 10#${BASH_REMATCH[2]} * 1000000 + 10#${BASH_REMATCH[4]:-0} * 1000 + 10#${BASH_REMATCH[6]:-0} ))
            return 0
        fi
    done < "$1/release"
    return 1
}

# meridian_find_java [TOOL]: sets MERIDIAN_JAVA_HOME to a Java 25+ home that has bin/TOOL (default: java), or
# prints one error and returns 1. MERIDIAN_JVM_ROOT replaces /usr/lib/jvm as the place to search.
meridian_find_java() {
    local tool=${1:-java} candidate best='' best_rank=0 minimum=$(( MERIDIAN_MIN_JAVA * 1000000 ))
    if [[ -n ${JAVA_HOME:-} && -x $JAVA_HOME/bin/$tool ]] && meridian_java_rank "$JAVA_HOME" \
            && (( REPLY >= minimum )); then
        MERIDIAN_JAVA_HOME=${JAVA_HOME%/}
        return 0
    fi
    for candidate in "${MERIDIAN_JVM_ROOT:-/usr/lib/jvm}"/*/; do
        candidate=${candidate%/}
        if [[ -x $candidate/bin/$tool ]] && meridian_java_rank "$candidate" \
                && (( REPLY >= minimum && REPLY > best_rank )); then
            best=$candidate
            best_rank=$REPLY
        fi
    done
    if [[ -z $best ]]; then
        echo "meridian: needs Java $MERIDIAN_MIN_JAVA or newer; set JAVA_HOME" >&2
        return 1
    fi
    MERIDIAN_JAVA_HOME=$best
}
