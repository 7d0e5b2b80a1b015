package dev.meridian.platform.linux.internal;

import dev.meridian.api.Confinement;

/** Confinements the platform tests launch guests with. */
final class TestConfinements {

    /** Every call to the supervisor, nothing else: the {@code trace} profile's confinement. */
    static final Confinement SUPERVISE_ALL = Confinement.superviseEverything(LinuxSyscalls.AUDIT_ARCH_X86_64);

    private TestConfinements() {
    }
}
