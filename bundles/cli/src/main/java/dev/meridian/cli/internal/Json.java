package dev.meridian.cli.internal;

/** Just enough JSON writing for journal export and stats: one object per line, strings escaped. */
final class Json {

    private final StringBuilder out = new StringBuilder(256);
    private boolean first = true;

    Json() {
        out.append('{');
    }

    Json field(String name, String value) {
        key(name);
        if (value == null) {
            out.append("null");
        } else {
            string(value);
        }
        return this;
    }

    Json field(String name, long value) {
        key(name);
        out.append(value);
        return this;
    }

    Json field(String name, boolean value) {
        key(name);
        out.append(value);
        return this;
    }

    Json field(String name, double value) {
        key(name);
        out.append(value);
        return this;
    }

    /** A value that is JSON already (an object or array built with this class). */
    Json raw(String name, String json) {
        key(name);
        out.append(json);
        return this;
    }

    Json nullableField(String name, Long value) {
        key(name);
        out.append(value == null ? "null" : value.toString());
        return this;
    }

    Json field(String name, Iterable<String> values) {
        key(name);
        out.append('[');
        boolean firstValue = true;
        for (String value : values) {
            if (!firstValue) {
                out.append(',');
            }
            string(value);
            firstValue = false;
        }
        out.append(']');
        return this;
    }

    String end() {
        return out.append('}').toString();
    }

    private void key(String name) {
        if (!first) {
            out.append(',');
        }
        first = false;
        string(name);
        out.append(':');
    }

    private void string(String value) {
        out.append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}
