package dev.meridian.launcher.client;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The JSON of the control API, strictly (RFC 8259): objects are {@code Map<String, Object>} in document order,
 * arrays {@code List<Object>}, strings, {@code Long} for integers that fit, {@code Double} for other numbers,
 * {@code Boolean}, and {@link #NULL}. Anything else (trailing text, duplicate keys, raw control characters, lone
 * surrogates, leading zeros, nesting deeper than {@value #MAX_DEPTH}) is an error naming the offset.
 */
public final class Json {
    /** JSON's null, so that a map can tell "null" from "absent". */
    public static final Object NULL = new Object() {
        @Override
        public String toString() {
            return "null";
        }
    };

    static final int MAX_DEPTH = 64;
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private final String text;
    private int position;

    private Json(String text) {
        this.text = text;
    }

    /** A malformed document; the message names what and where. */
    public static final class ParseException extends Exception {
        private static final long serialVersionUID = 1L;

        ParseException(String message) {
            super(message);
        }
    }

    public static Object parse(String text) throws ParseException {
        Json parser = new Json(text);
        parser.skipWhitespace();
        Object value = parser.value(0);
        parser.skipWhitespace();
        if (parser.position != text.length()) {
            throw parser.error("text after the JSON value");
        }
        return value;
    }

    /** Parses a document that must be an object. */
    public static Map<String, Object> parseObject(String text) throws ParseException {
        if (parse(text) instanceof Map<?, ?> map) {
            @SuppressWarnings("unchecked") // keys are always strings
            Map<String, Object> object = (Map<String, Object>) map;
            return object;
        }
        throw new ParseException("expected a JSON object");
    }

    private Object value(int depth) throws ParseException {
        if (position >= text.length()) {
            throw error("unexpected end of input");
        }
        char c = text.charAt(position);
        return switch (c) {
            case '{' -> object(depth + 1);
            case '[' -> array(depth + 1);
            case '"' -> string();
            case 't' -> literal("true", Boolean.TRUE);
            case 'f' -> literal("false", Boolean.FALSE);
            case 'n' -> literal("null", NULL);
            default -> {
                if (c == '-' || (c >= '0' && c <= '9')) {
                    yield number();
                }
                throw error("unexpected character '" + c + "'");
            }
        };
    }

    private Map<String, Object> object(int depth) throws ParseException {
        checkDepth(depth);
        position++;
        Map<String, Object> object = new LinkedHashMap<>();
        skipWhitespace();
        if (peek() == '}') {
            position++;
            return object;
        }
        while (true) {
            skipWhitespace();
            if (peek() != '"') {
                throw error("expected a string key");
            }
            int keyAt = position;
            String key = string();
            skipWhitespace();
            expect(':');
            skipWhitespace();
            if (object.put(key, value(depth)) != null) {
                position = keyAt;
                throw error("duplicate key \"" + key + "\"");
            }
            skipWhitespace();
            char next = peek();
            position++;
            if (next == '}') {
                return object;
            }
            if (next != ',') {
                position--;
                throw error("expected ',' or '}'");
            }
        }
    }

    private List<Object> array(int depth) throws ParseException {
        checkDepth(depth);
        position++;
        List<Object> array = new ArrayList<>();
        skipWhitespace();
        if (peek() == ']') {
            position++;
            return array;
        }
        while (true) {
            skipWhitespace();
            array.add(value(depth));
            skipWhitespace();
            char next = peek();
            position++;
            if (next == ']') {
                return array;
            }
            if (next != ',') {
                position--;
                throw error("expected ',' or ']'");
            }
        }
    }

    private void checkDepth(int depth) throws ParseException {
        if (depth > MAX_DEPTH) {
            throw error("nested deeper than " + MAX_DEPTH);
        }
    }

    private String string() throws ParseException {
        position++;
        StringBuilder out = new StringBuilder();
        while (true) {
            if (position >= text.length()) {
                throw error("unterminated string");
            }
            char c = text.charAt(position++);
            if (c == '"') {
                return out.toString();
            }
            if (c < 0x20) {
                position--;
                throw error("raw control character in a string");
            }
            if (c == '\\') {
                c = escape();
            }
            if (Character.isHighSurrogate(c)) {
                char low = position < text.length() ? text.charAt(position) : 0;
                if (low == '\\' && text.startsWith("\\u", position)) {
                    position++;
                    low = escape();
                } else if (low != 0) {
                    position++;
                }
                if (!Character.isLowSurrogate(low)) {
                    throw error("unpaired surrogate");
                }
                out.append(c).append(low);
            } else if (Character.isLowSurrogate(c)) {
                throw error("unpaired surrogate");
            } else {
                out.append(c);
            }
        }
    }

    /** The character of the escape after a backslash. */
    private char escape() throws ParseException {
        if (position >= text.length()) {
            throw error("unterminated string");
        }
        char c = text.charAt(position++);
        return switch (c) {
            case '"', '\\', '/' -> c;
            case 'b' -> '\b';
            case 'f' -> '\f';
            case 'n' -> '\n';
            case 'r' -> '\r';
            case 't' -> '\t';
            case 'u' -> {
                if (position + 4 > text.length()) {
                    throw error("truncated \\u escape");
                }
                int code = 0;
                for (int i = 0; i < 4; i++) {
                    int digit = Character.digit(text.charAt(position++), 16);
                    if (digit < 0) {
                        throw error("bad \\u escape");
                    }
                    code = code * 16 + digit;
                }
                yield (char) code;
            }
            default -> {
                position--;
                throw error("bad escape '\\" + c + "'");
            }
        };
    }

    private Object number() throws ParseException {
        int start = position;
        if (peek() == '-') {
            position++;
        }
        if (peek() == '0') {
            position++;
            if (isDigit(peek())) {
                throw error("leading zero in a number");
            }
        } else if (!digits()) {
            throw error("a number needs digits");
        }
        boolean integer = true;
        if (peek() == '.') {
            position++;
            integer = false;
            if (!digits()) {
                throw error("a number needs digits after '.'");
            }
        }
        if (peek() == 'e' || peek() == 'E') {
            position++;
            integer = false;
            if (peek() == '+' || peek() == '-') {
                position++;
            }
            if (!digits()) {
                throw error("a number needs digits in its exponent");
            }
        }
        String literal = text.substring(start, position);
        if (integer) {
            try {
                return Long.parseLong(literal);
            } catch (NumberFormatException tooLarge) {
                // below, as a double
            }
        }
        return Double.parseDouble(literal);
    }

    private boolean digits() {
        int start = position;
        while (isDigit(peek())) {
            position++;
        }
        return position > start;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private Object literal(String word, Object value) throws ParseException {
        if (!text.startsWith(word, position)) {
            throw error("unexpected character '" + text.charAt(position) + "'");
        }
        position += word.length();
        return value;
    }

    private void expect(char c) throws ParseException {
        if (peek() != c) {
            throw error("expected '" + c + "'");
        }
        position++;
    }

    /** The current character, or 0 at the end (never valid where a character is expected). */
    private char peek() {
        return position < text.length() ? text.charAt(position) : 0;
    }

    private void skipWhitespace() {
        while (position < text.length()) {
            char c = text.charAt(position);
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
                return;
            }
            position++;
        }
    }

    private ParseException error(String what) {
        return new ParseException("malformed JSON at offset " + position + ": " + what);
    }

    /**
     * Writes a value of the types above ({@code Integer}, {@code Long} and other {@code Number}s,
     * {@code null} as null, any {@code Map} with string keys, any {@code List}).
     */
    public static String write(Object value) {
        StringBuilder out = new StringBuilder();
        write(value, out);
        return out.toString();
    }

    // An if-chain, not a pattern switch: a type switch spins a class at run time, a cost every client start pays.
    private static void write(Object value, StringBuilder out) {
        if (value == null || value == NULL) {
            out.append("null");
        } else if (value instanceof String s) {
            quote(s, out);
        } else if (value instanceof Boolean || value instanceof Integer || value instanceof Long) {
            out.append(value);
        } else if (value instanceof Number n) {
            double d = n.doubleValue();
            if (Double.isNaN(d) || Double.isInfinite(d)) {
                throw new IllegalArgumentException("not JSON: " + n);
            }
            out.append(n);
        } else if (value instanceof Map<?, ?> map) {
            out.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                if (!(entry.getKey() instanceof String key)) {
                    throw new IllegalArgumentException("a JSON object key must be a string: " + entry.getKey());
                }
                if (!first) {
                    out.append(',');
                }
                first = false;
                quote(key, out);
                out.append(':');
                write(entry.getValue(), out);
            }
            out.append('}');
        } else if (value instanceof List<?> list) {
            out.append('[');
            for (int i = 0; i < list.size(); i++) {
                if (i > 0) {
                    out.append(',');
                }
                write(list.get(i), out);
            }
            out.append(']');
        } else {
            throw new IllegalArgumentException("no JSON form for " + value.getClass().getName());
        }
    }

    private static void quote(String s, StringBuilder out) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> {
                    if (c < 0x20) {
                        out.append("\\u00").append(HEX[c >> 4]).append(HEX[c & 0xf]);
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

    // Typed access to parsed objects, for the client's fixed shapes: a wrong shape is the daemon's error.

    static String string(Map<String, Object> object, String key) throws ParseException {
        return object.get(key) instanceof String s ? s : missing(key, "a string");
    }

    static String stringOrNull(Map<String, Object> object, String key) throws ParseException {
        Object value = object.get(key);
        return value == null || value == NULL ? null : string(object, key);
    }

    static long integer(Map<String, Object> object, String key) throws ParseException {
        return object.get(key) instanceof Long n ? n : missing(key, "an integer");
    }

    static long integerOr(Map<String, Object> object, String key, long absent) throws ParseException {
        Object value = object.get(key);
        return value == null || value == NULL ? absent : integer(object, key);
    }

    static boolean bool(Map<String, Object> object, String key) throws ParseException {
        return object.get(key) instanceof Boolean b ? b : missing(key, "true or false");
    }

    @SuppressWarnings("unchecked") // parsed objects have string keys
    static Map<String, Object> object(Map<String, Object> object, String key) throws ParseException {
        Object value = object.get(key);
        return value instanceof Map<?, ?> map ? (Map<String, Object>) map : missing(key, "an object");
    }

    static Map<String, Object> objectOrNull(Map<String, Object> object, String key) throws ParseException {
        Object value = object.get(key);
        return value == null || value == NULL ? null : object(object, key);
    }

    static List<Object> array(Map<String, Object> object, String key) throws ParseException {
        Object value = object.get(key);
        if (value instanceof List<?> list) {
            return Collections.unmodifiableList(list);
        }
        return missing(key, "an array");
    }

    private static <T> T missing(String key, String what) throws ParseException {
        throw new ParseException("\"" + key + "\" should be " + what);
    }
}
