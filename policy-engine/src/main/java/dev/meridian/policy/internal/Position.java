package dev.meridian.policy.internal;

/** Where something is written: a file (or built-in profile) and a 1-based line and column. */
record Position(String file, int line, int column) {

    /** For problems that belong to a whole source rather than a place in it. */
    static Position of(String file) {
        return new Position(file, 0, 0);
    }

    @Override
    public String toString() {
        return line == 0 ? file : file + ":" + line + ":" + column;
    }
}
