package dev.meridian.shim.linux.x86_64;

/** How far the shim decodes one system call today. */
public enum Support {
    /** Every argument is shown by its meaning; every input in guest memory is captured. */
    DECODED,
    /**
     * Every argument has a meaning, but some input in guest memory is not captured (shown as an
     * address) or depends on another argument (shown raw). A policy cannot judge those parts.
     */
    PARTIAL,
    /** The kernel defines the number but implements nothing behind it: the call fails with ENOSYS. */
    ABSENT
}
