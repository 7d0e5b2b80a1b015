package dev.meridian.shim.linux.x86_64.internal;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Names for the values of one enumeration-like argument ({@code SEEK_SET}, {@code F_GETFL}, ...). */
final class ValueNames {
    private final Map<Long, String> names = new HashMap<>();
    private final List<Symbol> symbols = new ArrayList<>();

    ValueNames name(String name, long value) {
        names.putIfAbsent(value, name);
        symbols.add(new Symbol(name, value));
        return this;
    }

    /** The name of {@code value}, or {@code null}. */
    String nameOf(long value) {
        return names.get(value);
    }

    /** The name of {@code value}, or the value in decimal. */
    String format(long value) {
        String name = names.get(value);
        return name != null ? name : Long.toString(value);
    }

    /** Every name with its value, for checks against the C headers. */
    List<Symbol> symbols() {
        return Collections.unmodifiableList(symbols);
    }
}
