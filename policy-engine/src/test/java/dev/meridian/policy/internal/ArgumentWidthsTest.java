package dev.meridian.policy.internal;

import static dev.meridian.policy.internal.Calls.decide;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.meridian.api.Policy;
import dev.meridian.api.SyscallFilter;
import dev.meridian.api.SyscallFilter.Check;
import dev.meridian.api.SyscallFilter.Comparison;
import dev.meridian.api.VerdictAction;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Checks on arguments the kernel reads as 32 bits ignore what the guest puts in the upper half. */
class ArgumentWidthsTest {

    private static final int IOCTL = 16;
    private static final int MMAP = 9;

    @Test
    void aDenyOnAnIntArgumentCannotBeDodgedWithUpperBits() throws Exception {
        Policy strict = Policies.profiles("strict");
        for (long high : new long[] {0, 1L << 32, 0xdead_beefL << 32, -1L << 32}) {
            assertEquals(VerdictAction.DENY, decide(strict, "ioctl", 0, high | 0x5412).action(),
                    () -> "TIOCSTI with 0x" + Long.toHexString(high) + " above");
        }
        Check kernelCheck = strict.confinement().syscalls().rules().stream()
                .filter(rule -> rule.number() == IOCTL && !rule.checks().isEmpty())
                .flatMap(rule -> rule.checks().stream()).findFirst().orElseThrow();
        assertEquals(new Check(1, Comparison.EQ, 0x5412, Check.LOW_WORD), kernelCheck, "the filter's check");
    }

    @Test
    void negativeIntsAndMasksAreFittedAndLongArgumentsStayWhole() {
        assertEquals(List.of(new Check(0, Comparison.EQ, 0xFFFF_FF9CL, Check.LOW_WORD)),
                ArgumentWidths.fit(IOCTL, List.of(new Check(0, Comparison.EQ, -100, 0))), "fd -100");
        assertEquals(List.of(new Check(1, Comparison.MASKED_EQ, 0x10, 0xF0)),
                ArgumentWidths.fit(IOCTL, List.of(new Check(1, Comparison.MASKED_EQ, 0x10, 0xFFFF_FFFF_0000_00F0L))));
        List<Check> wide = List.of(new Check(1, Comparison.GT, 1L << 40, 0));
        assertEquals(wide, ArgumentWidths.fit(MMAP, wide), "mmap's length is a size_t");
        List<Check> impossible = List.of(new Check(1, Comparison.EQ, 1L << 40, 0));
        assertEquals(impossible, ArgumentWidths.fit(IOCTL, impossible), "no unsigned int holds it: kept, never matches");
        assertEquals(SyscallFilter.Check.LOW_WORD, 0xFFFF_FFFFL);
    }
}
