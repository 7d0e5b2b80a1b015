package dev.meridian.policy.internal;

import java.nio.charset.StandardCharsets;

/**
 * A path glob precompiled for matching canonical paths as bytes, without allocating: {@code *}
 * matches any bytes within one path segment, {@code ?} one byte other than {@code /}, and a
 * segment that is exactly {@code **} matches any number of whole segments, none included (so
 * {@code /root/**} matches {@code /root} and everything beneath it).
 *
 * <p>Matching works segment by segment: {@code **} is a wildcard over segments and {@code *} one
 * over bytes inside a segment, so each level needs only the last wildcard to backtrack to, and a
 * match takes time proportional to path length times pattern length at worst, never exponential.
 */
final class Glob {

    private final String text;
    private final byte[] pattern;
    private final int[] segmentStart;
    private final int[] segmentEnd;
    private final boolean[] globstar;

    private Glob(String text) {
        this.text = text;
        this.pattern = text.getBytes(StandardCharsets.UTF_8);
        int segments = 1;
        for (byte b : pattern) {
            if (b == '/') {
                segments++;
            }
        }
        segmentStart = new int[segments];
        segmentEnd = new int[segments];
        globstar = new boolean[segments];
        int start = 0;
        for (int i = 0; i < segments; i++) {
            int end = end(pattern, start, pattern.length);
            segmentStart[i] = start;
            segmentEnd[i] = end;
            globstar[i] = end - start == 2 && pattern[start] == '*' && pattern[start + 1] == '*';
            start = end + 1;
        }
    }

    /** True when {@code path} has wildcards, so it is a glob rather than a plain path. */
    static boolean isGlob(String path) {
        return path.indexOf('*') >= 0 || path.indexOf('?') >= 0;
    }

    /**
     * Why {@code text} is no usable glob over canonical absolute paths, or null when it is one: it
     * must start with {@code /} or a {@code **} segment and have no empty, {@code .} or {@code ..}
     * segments, which a canonical path never has.
     */
    static String problem(String text) {
        if (!text.startsWith("/") && !text.equals("**") && !text.startsWith("**/")) {
            return "'" + text + "' is a relative path: write it absolute (or start it with **/)";
        }
        String[] segments = text.split("/", -1);
        for (int i = 1; i < segments.length; i++) {
            String segment = segments[i];
            if (segment.isEmpty() && !text.equals("/") || segment.equals(".") || segment.equals("..")) {
                return "'" + text + "' is not canonical (no //, /./, /../ or trailing /): it would never match";
            }
        }
        return null;
    }

    static Glob compile(String text) {
        String problem = problem(text);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
        return new Glob(text);
    }

    String text() {
        return text;
    }

    /** Whether the first {@code length} bytes of {@code path} (a canonical absolute path) match. */
    boolean matches(byte[] path, int length) {
        int segments = segmentStart.length;
        int p = 0;
        int s = 0;
        int starP = -1;
        int starS = 0;
        while (s <= length) {
            int e = end(path, s, length);
            if (p < segments && globstar[p]) {
                starP = p++;
                starS = s;
            } else if (p < segments && segmentMatches(p, path, s, e)) {
                p++;
                s = e + 1;
            } else if (starP >= 0) {
                p = starP + 1;
                starS = end(path, starS, length) + 1;
                s = starS;
            } else {
                return false;
            }
        }
        while (p < segments && globstar[p]) {
            p++;
        }
        return p == segments;
    }

    /** Matches pattern segment {@code index} against {@code path[from, to)}: {@code *} and {@code ?}. */
    private boolean segmentMatches(int index, byte[] path, int from, int to) {
        int p = segmentStart[index];
        int pEnd = segmentEnd[index];
        int s = from;
        int starP = -1;
        int starS = 0;
        while (s < to) {
            if (p < pEnd && (pattern[p] == '?' || pattern[p] == path[s]) && pattern[p] != '*') {
                p++;
                s++;
            } else if (p < pEnd && pattern[p] == '*') {
                starP = p++;
                starS = s;
            } else if (starP >= 0) {
                p = starP + 1;
                s = ++starS;
            } else {
                return false;
            }
        }
        while (p < pEnd && pattern[p] == '*') {
            p++;
        }
        return p == pEnd;
    }

    private static int end(byte[] bytes, int from, int length) {
        int i = from;
        while (i < length && bytes[i] != '/') {
            i++;
        }
        return i;
    }

    @Override
    public String toString() {
        return text;
    }
}
