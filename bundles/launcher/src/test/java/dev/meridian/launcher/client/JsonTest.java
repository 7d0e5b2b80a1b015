package dev.meridian.launcher.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTest {

    @Test
    void readsEveryKindOfValue() throws Exception {
        Map<String, Object> object = Json.parseObject("""
                 {"s": "a\\"b\\\\c\\/\\n\\t\\u00e9\\ud83d\\ude00", "i": -42, "big": 12345678901234567890,
                  "d": 1.5e3, "t": true, "f": false, "n": null, "a": [1, [], {}], "o": {"k": "v"}}
                """);
        assertEquals("a\"b\\c/\n\té😀", object.get("s"));
        assertEquals(-42L, object.get("i"));
        assertEquals(1.2345678901234567e19, (Double) object.get("big"), 1e4);
        assertEquals(1500.0, object.get("d"));
        assertEquals(true, object.get("t"));
        assertEquals(false, object.get("f"));
        assertSame(Json.NULL, object.get("n"));
        assertEquals(List.of(1L, List.of(), Map.of()), object.get("a"));
        assertEquals(Map.of("k", "v"), object.get("o"));
        assertEquals(List.of("s", "i", "big", "d", "t", "f", "n", "a", "o"), List.copyOf(object.keySet()),
                "document order is kept");
    }

    @Test
    void refusesWhatRfc8259Refuses() {
        for (String bad : List.of("", " ", "{", "{\"a\":1,}", "[1,]", "[1 2]", "{\"a\" 1}", "{a:1}", "01", "-",
                "1.", ".5", "1e", "+1", "NaN", "tru", "nul", "\"\\x\"", "\"\\u12\"", "\"a\u0001\"", "\"open",
                "\"\\ud83d\"", "\"\\ude00\"", "{} {}", "[] x", "{\"k\":1,\"k\":2}", "'s'")) {
            Json.ParseException e = assertThrows(Json.ParseException.class, () -> Json.parse(bad), bad);
            assertTrue(e.getMessage().startsWith("malformed JSON at offset "), e.getMessage());
        }
    }

    @Test
    void boundsNesting() throws Exception {
        String deepEnough = "[".repeat(Json.MAX_DEPTH) + "]".repeat(Json.MAX_DEPTH);
        Json.parse(deepEnough);
        String tooDeep = "[".repeat(Json.MAX_DEPTH + 1) + "]".repeat(Json.MAX_DEPTH + 1);
        assertThrows(Json.ParseException.class, () -> Json.parse(tooDeep));
    }

    @Test
    void namesTheOffsetOfAMistake() {
        Json.ParseException e = assertThrows(Json.ParseException.class, () -> Json.parse("{\"a\": tru}"));
        assertEquals("malformed JSON at offset 6: unexpected character 't'", e.getMessage());
    }

    @Test
    void writesWhatItReads() throws Exception {
        Map<String, Object> value = new LinkedHashMap<>();
        value.put("text", "quote \" backslash \\ newline \n tab \t bell \u0007 é 😀");
        value.put("numbers", Arrays.asList(0, -1L, 2.5, Long.MAX_VALUE));
        value.put("flags", List.of(true, false));
        value.put("nothing", null);
        value.put("nested", Map.of("list", List.of(Map.of())));
        String written = Json.write(value);
        assertEquals("{\"text\":\"quote \\\" backslash \\\\ newline \\n tab \\t bell \\u0007 é 😀\","
                + "\"numbers\":[0,-1,2.5,9223372036854775807],\"flags\":[true,false],\"nothing\":null,"
                + "\"nested\":{\"list\":[{}]}}", written);
        Map<String, Object> read = Json.parseObject(written);
        assertEquals(value.get("text"), read.get("text"));
        assertEquals(List.of(0L, -1L, 2.5, Long.MAX_VALUE), read.get("numbers"));
        assertSame(Json.NULL, read.get("nothing"));
    }

    @Test
    void refusesValuesJsonCannotHold() {
        assertThrows(IllegalArgumentException.class, () -> Json.write(Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> Json.write(List.of(new Object())));
        assertThrows(IllegalArgumentException.class, () -> Json.write(Map.of(1, "not a string key")));
    }

    @Test
    void typedAccessNamesTheField() throws Exception {
        Map<String, Object> object = Json.parseObject("{\"id\": 7, \"exit\": null}");
        assertEquals(7L, Json.integer(object, "id"));
        assertEquals(null, Json.objectOrNull(object, "exit"));
        Json.ParseException e = assertThrows(Json.ParseException.class, () -> Json.string(object, "id"));
        assertEquals("\"id\" should be a string", e.getMessage());
    }
}
