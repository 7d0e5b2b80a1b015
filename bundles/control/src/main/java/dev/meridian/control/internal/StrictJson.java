package dev.meridian.control.internal;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads request bodies strictly: one JSON object, only known fields, each of the expected type. Every refusal is a
 * 400 naming the field ({@code isolation.net}) and what was expected.
 */
final class StrictJson {

    private StrictJson() {
    }

    /** The body as a JSON object. */
    static JsonObject object(Buffer body) {
        Object value;
        try {
            value = io.vertx.core.json.Json.decodeValue(body);
        } catch (DecodeException e) {
            throw ApiException.badRequest("malformed JSON: " + firstLine(e.getMessage()));
        }
        if (!(value instanceof JsonObject object)) {
            throw ApiException.badRequest("the body must be a JSON object, not " + typeOf(value));
        }
        return object;
    }

    /** Refuses any field of {@code object} not in {@code known}. */
    static void onlyKnown(JsonObject object, String where, List<String> known) {
        for (String field : object.fieldNames()) {
            if (!known.contains(field)) {
                throw ApiException.badRequest("unknown field \"" + where + field + "\" (known: "
                        + String.join(", ", known) + ")");
            }
        }
    }

    static Object required(JsonObject object, String where, String field) {
        if (!object.containsKey(field) || object.getValue(field) == null) {
            throw ApiException.badRequest("missing required field \"" + where + field + "\"");
        }
        return object.getValue(field);
    }

    /** A string field, or null when absent (JSON null counts as absent). */
    static String string(JsonObject object, String where, String field) {
        Object value = object.getValue(field);
        if (value == null) {
            return null;
        }
        if (!(value instanceof String text)) {
            throw wrongType(where + field, "a string", value);
        }
        return text;
    }

    static Boolean bool(JsonObject object, String where, String field) {
        Object value = object.getValue(field);
        if (value == null) {
            return null;
        }
        if (!(value instanceof Boolean flag)) {
            throw wrongType(where + field, "true or false", value);
        }
        return flag;
    }

    /** A whole number within a long, or null when absent. */
    static Long integer(JsonObject object, String where, String field) {
        Object value = object.getValue(field);
        return value == null ? null : integer(where + field, value);
    }

    static Long integer(String name, Object value) {
        switch (value) {
            case Integer number -> {
                return number.longValue();
            }
            case Long number -> {
                return number;
            }
            case BigInteger number -> throw ApiException.badRequest("\"" + name + "\" is out of range: " + number);
            case Double number when number == Math.rint(number) && Math.abs(number) < 0x1p53 -> {
                return number.longValue();
            }
            case BigDecimal number -> {
                try {
                    return number.longValueExact();
                } catch (ArithmeticException e) {
                    throw wrongType(name, "a whole number", value);
                }
            }
            default -> throw wrongType(name, "a whole number", value);
        }
    }

    static JsonObject object(JsonObject object, String where, String field) {
        Object value = object.getValue(field);
        if (value == null) {
            return null;
        }
        if (!(value instanceof JsonObject nested)) {
            throw wrongType(where + field, "an object", value);
        }
        return nested;
    }

    static JsonArray array(JsonObject object, String where, String field) {
        Object value = object.getValue(field);
        if (value == null) {
            return null;
        }
        if (!(value instanceof JsonArray array)) {
            throw wrongType(where + field, "an array", value);
        }
        return array;
    }

    /** An array of strings, or null when absent. */
    static List<String> strings(JsonObject object, String where, String field) {
        JsonArray array = array(object, where, field);
        if (array == null) {
            return null;
        }
        List<String> strings = new ArrayList<>(array.size());
        for (int i = 0; i < array.size(); i++) {
            Object element = array.getValue(i);
            if (!(element instanceof String text)) {
                throw wrongType(where + field + "[" + i + "]", "a string", element);
            }
            strings.add(text);
        }
        return strings;
    }

    /** An object whose values are all strings, or null when absent. */
    static Map<String, String> stringMap(JsonObject object, String where, String field) {
        JsonObject map = object(object, where, field);
        if (map == null) {
            return null;
        }
        Map<String, String> strings = new LinkedHashMap<>();
        for (Map.Entry<String, Object> entry : map) {
            if (!(entry.getValue() instanceof String text)) {
                throw wrongType(where + field + "." + entry.getKey(), "a string", entry.getValue());
            }
            strings.put(entry.getKey(), text);
        }
        return strings;
    }

    static ApiException wrongType(String name, String expected, Object value) {
        return ApiException.badRequest("\"" + name + "\" must be " + expected + ", not " + typeOf(value));
    }

    static String typeOf(Object value) {
        return switch (value) {
            case null -> "null";
            case String text -> "a string";
            case Boolean flag -> "a boolean";
            case Number number -> "a number";
            case JsonObject object -> "an object";
            case JsonArray array -> "an array";
            default -> value.getClass().getSimpleName();
        };
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "unreadable";
        }
        int newline = message.indexOf('\n');
        String line = newline < 0 ? message : message.substring(0, newline);
        // Vert.x prefixes "Failed to decode:"; the parser's own words say what is wrong.
        return line.startsWith("Failed to decode:") ? line.substring("Failed to decode:".length()).trim() : line;
    }
}
