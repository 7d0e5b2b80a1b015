package dev.meridian.control.internal;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** Signal names and numbers as Linux x86-64 has them, for {@code signal} requests: "INT", "SIGINT" or 2. */
final class Signals {

    private static final Map<String, Integer> NUMBERS = new LinkedHashMap<>();

    static {
        String[] names = {"HUP", "INT", "QUIT", "ILL", "TRAP", "ABRT", "BUS", "FPE", "KILL", "USR1", "SEGV", "USR2",
            "PIPE", "ALRM", "TERM", "STKFLT", "CHLD", "CONT", "STOP", "TSTP", "TTIN", "TTOU", "URG", "XCPU", "XFSZ",
            "VTALRM", "PROF", "WINCH", "IO", "PWR", "SYS"};
        for (int i = 0; i < names.length; i++) {
            NUMBERS.put(names[i], i + 1);
        }
    }

    private Signals() {
    }

    /** The signal's number; 400 naming the known names when it is none. */
    static int number(String field, Object value) {
        if (value instanceof Number) {
            long number = StrictJson.integer(field, value);
            if (number < 1 || number > 64) {
                throw ApiException.badRequest("\"" + field + "\" takes a signal number from 1 to 64, not " + number);
            }
            return (int) number;
        }
        if (!(value instanceof String text)) {
            throw StrictJson.wrongType(field, "a signal name or number", value);
        }
        String name = text.toUpperCase(Locale.ROOT);
        if (name.startsWith("SIG")) {
            name = name.substring(3);
        }
        Integer number = NUMBERS.get(name);
        if (number == null) {
            throw ApiException.badRequest("\"" + field + "\": unknown signal '" + text + "' (known: "
                    + String.join(", ", NUMBERS.keySet()) + ", or a number)");
        }
        return number;
    }
}
