package dev.meridian.shim.linux.x86_64.internal;

/** A C constant: its name and value. */
record Symbol(String name, long value) {
}
