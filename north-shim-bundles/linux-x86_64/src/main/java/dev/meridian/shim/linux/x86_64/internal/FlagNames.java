package dev.meridian.shim.linux.x86_64.internal;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.StringJoiner;

/**
 * Names for the bits of one flag-set argument, shown as {@code A|B|0x40}. Flags are matched in the
 * order given, so multi-bit names ({@code O_TMPFILE}) must come before the bits they contain.
 */
final class FlagNames {
    private final List<Symbol> flags = new ArrayList<>();
    private String zero = "0";

    FlagNames flag(String name, long value) {
        flags.add(new Symbol(name, value));
        return this;
    }

    /** What an empty set is called, e.g. {@code PROT_NONE}. */
    FlagNames zero(String name) {
        this.zero = name;
        return this;
    }

    String format(long value) {
        StringJoiner parts = new StringJoiner("|");
        long rest = addNames(parts, value);
        if (rest != 0) {
            parts.add(Formats.hex(rest));
        }
        return parts.length() == 0 ? zero : parts.toString();
    }

    /** Adds the names of the bits it knows to {@code parts}; returns the bits left over. */
    long addNames(StringJoiner parts, long value) {
        long rest = value;
        for (Symbol flag : flags) {
            if (flag.value() != 0 && (rest & flag.value()) == flag.value()) {
                parts.add(flag.name());
                rest &= ~flag.value();
            }
        }
        return rest;
    }

    List<Symbol> symbols() {
        return Collections.unmodifiableList(flags);
    }
}
