package dev.meridian.platform.linux.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meridian.api.SyscallFilter;
import dev.meridian.api.SyscallFilter.Action;
import dev.meridian.api.SyscallFilter.Check;
import dev.meridian.api.SyscallFilter.Comparison;
import dev.meridian.api.SyscallFilter.Rule;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Compiled programs run in {@link BpfInterpreter} against the filter's own meaning. */
class SeccompCompilerTest {

    private static final int X86_64 = LinuxSyscalls.AUDIT_ARCH_X86_64;
    private static final int AUDIT_ARCH_I386 = 0x40000003;
    private static final long[] EDGES = {
        0, 1, 2, 0x7f, 0x80, 0xffff, 0x7fffffffL, 0x80000000L, 0xfffffffeL, 0xffffffffL, 0x1_0000_0000L,
        0x1_0000_0001L, 0xffff_ffff_0000_0000L, 0xffff_ffff_0000_0002L, Long.MAX_VALUE, Long.MIN_VALUE, -2, -1,
    };

    /** What the kernel should answer, straight from {@link SyscallFilter}'s documentation. */
    static int reference(SyscallFilter filter, int number, int arch, long[] args) {
        if (arch != filter.abi() || (number & LinuxSyscalls.X32_SYSCALL_BIT) != 0) {
            return LinuxSyscalls.SECCOMP_RET_KILL_PROCESS;
        }
        for (Rule rule : filter.rules()) {
            if (rule.number() == number && rule.checks().stream().allMatch(check -> holds(check, args[check.index()]))) {
                return SeccompCompiler.returnValue(rule.action(), rule.errno());
            }
        }
        return SeccompCompiler.returnValue(filter.defaultAction(), filter.defaultErrno());
    }

    private static boolean holds(Check check, long register) {
        boolean lowWord = check.op() != Comparison.MASKED_EQ && check.mask() == 0xffffffffL;
        long arg = lowWord ? register & 0xffffffffL : register;
        int order = Long.compareUnsigned(arg, check.value());
        return switch (check.op()) {
            case EQ -> order == 0;
            case NE -> order != 0;
            case LT -> order < 0;
            case LE -> order <= 0;
            case GT -> order > 0;
            case GE -> order >= 0;
            case MASKED_EQ -> (arg & check.mask()) == check.value();
        };
    }

    private static long interesting(Random random, List<Long> seen) {
        return switch (random.nextInt(4)) {
            case 0 -> EDGES[random.nextInt(EDGES.length)];
            case 1 -> random.nextLong();
            case 2 -> seen.isEmpty() ? random.nextInt(100) : seen.get(random.nextInt(seen.size())) + random.nextInt(3) - 1;
            default -> random.nextInt(100);
        };
    }

    private static SyscallFilter randomFilter(Random random, int ruleCount, List<Long> values, List<Integer> numbers) {
        Action[] actions = Action.values();
        Comparison[] comparisons = Comparison.values();
        int spread = 1 + random.nextInt(random.nextBoolean() ? 20 : 500);
        List<Rule> rules = new ArrayList<>();
        for (int r = 0; r < ruleCount; r++) {
            int number = random.nextInt(spread);
            numbers.add(number);
            List<Check> checks = new ArrayList<>();
            int checkCount = random.nextInt(4);
            for (int c = 0; c < checkCount; c++) {
                long value = interesting(random, values);
                Comparison op = comparisons[random.nextInt(comparisons.length)];
                long mask;
                if (op == Comparison.MASKED_EQ) {
                    mask = random.nextInt(3) == 0 ? 0xffffffffL : interesting(random, values);
                    if (random.nextBoolean()) {
                        value &= mask; // a check that can hold
                    }
                } else if (random.nextInt(3) == 0) {
                    mask = Check.LOW_WORD; // a 32-bit argument
                    value &= Check.LOW_WORD;
                } else {
                    mask = 0;
                }
                values.add(value);
                checks.add(new Check(random.nextInt(6), op, value, mask));
            }
            rules.add(new Rule(number, checks, actions[random.nextInt(actions.length)], random.nextInt(200), r));
        }
        return new SyscallFilter(X86_64, actions[random.nextInt(actions.length)], 1 + random.nextInt(130), rules);
    }

    @Test
    void compiledProgramsDecideLikeTheFilter() {
        Random random = new Random(20260421);
        int compared = 0;
        for (int f = 0; f < 400; f++) {
            List<Long> values = new ArrayList<>();
            List<Integer> numbers = new ArrayList<>();
            int ruleCount = f % 10 == 0 ? 200 + random.nextInt(200) : random.nextInt(40);
            SyscallFilter filter = randomFilter(random, ruleCount, values, numbers);
            SeccompProgram program = SeccompCompiler.compile(filter);
            for (int i = 0; i < 400; i++) {
                int near = numbers.isEmpty() || random.nextInt(5) == 0 ? random.nextInt(600)
                        : numbers.get(random.nextInt(numbers.size())) + random.nextInt(3) - 1;
                int arch = random.nextInt(50) == 0 ? AUDIT_ARCH_I386 : X86_64;
                int number = random.nextInt(50) == 0 ? near | LinuxSyscalls.X32_SYSCALL_BIT : near;
                long[] args = new long[6];
                for (int a = 0; a < args.length; a++) {
                    args[a] = interesting(random, values);
                }
                assertEquals(reference(filter, number, arch, args),
                        BpfInterpreter.run(program, number, arch, 0x401000L, args),
                        () -> "filter " + filter + " call " + number + " " + java.util.Arrays.toString(args));
                compared++;
            }
        }
        assertEquals(160_000, compared);
    }

    @Test
    void eachComparisonOnBothHalves() {
        long[] values = {0, 1, 0xffffffffL, 0x1_0000_0000L, 0x1_0000_0001L, -1, 0x8000_0000_0000_0000L, 42};
        for (Comparison op : Comparison.values()) {
            for (long value : values) {
                long[] masks = op == Comparison.MASKED_EQ
                        ? new long[] {-1, 0xffffffffL, 0xffff_ffff_0000_0000L, 0, 0xf0}
                        : (value & ~Check.LOW_WORD) == 0 ? new long[] {0, Check.LOW_WORD} : new long[] {0};
                for (long mask : masks) {
                    Check check = new Check(3, op, value, mask);
                    SyscallFilter filter = new SyscallFilter(X86_64, Action.ALLOW, 0,
                            List.of(new Rule(41, List.of(check), Action.ERRNO, 97, 1)));
                    SeccompProgram program = SeccompCompiler.compile(filter);
                    for (long arg : values) {
                        for (long delta : new long[] {-1, 0, 1}) {
                            long[] args = {0, 0, 0, arg + delta, 0, 0};
                            assertEquals(reference(filter, 41, X86_64, args),
                                    BpfInterpreter.run(program, 41, X86_64, 0, args), () -> check + " arg " + args[3]);
                        }
                    }
                }
            }
        }
    }

    @Test
    void aThirtyTwoBitArgumentIsJudgedOnItsLowWordWhateverTheGuestPutsAbove() {
        // ioctl(fd, TIOCSTI | garbage << 32): the kernel reads an unsigned int, so must the filter
        Check tiocsti = new Check(1, Comparison.EQ, 0x5412, Check.LOW_WORD);
        SyscallFilter filter = new SyscallFilter(X86_64, Action.ALLOW, 0,
                List.of(new Rule(16, List.of(tiocsti), Action.ERRNO, 1, 1)));
        SeccompProgram program = SeccompCompiler.compile(filter);
        for (long high : new long[] {0, 1L << 32, 0xdead_beefL << 32, -1L << 32}) {
            long[] args = {0, high | 0x5412, 0, 0, 0, 0};
            assertEquals(SeccompCompiler.returnValue(Action.ERRNO, 1), BpfInterpreter.run(program, 16, X86_64, 0, args),
                    () -> "ioctl request 0x" + Long.toHexString(args[1]));
        }
        assertThrows(IllegalArgumentException.class, () -> new Check(1, Comparison.EQ, 1L << 32, Check.LOW_WORD));
        assertThrows(IllegalArgumentException.class, () -> new Check(1, Comparison.LT, 5, 0xff));
    }

    @Test
    void notifyEverythingIsTheCompiledNotifyAllFilter() {
        SyscallFilter notifyAll = SyscallFilter.notifyAll(X86_64);
        byte[] compiled = SeccompCompiler.compile(notifyAll).toBytes();
        assertArrayEquals(compiled, SeccompProgram.notifyEverything().toBytes());
        assertArrayEquals(compiled, SeccompCompiler.compileForGuest(notifyAll).toBytes(),
                "the handshake is notified anyway: no extra instruction");
        assertEquals(6, SeccompProgram.notifyEverything().length(),
                "ld arch, jeq, ld nr, jset x32, ret notify, ret kill");
    }

    @Test
    void guestFiltersNotifyTheHandshakeWhateverTheyAllow() {
        SyscallFilter allowAll = new SyscallFilter(X86_64, Action.ALLOW, 0,
                List.of(new Rule(LinuxSyscalls.SYS_SECCOMP, List.of(), Action.ERRNO, 1, 0)));
        SeccompProgram program = SeccompCompiler.compileForGuest(allowAll);
        assertEquals(LinuxSyscalls.SECCOMP_RET_USER_NOTIF, BpfInterpreter.run(program, LinuxSyscalls.SYS_SECCOMP,
                X86_64, 0, SeccompCompiler.HANDSHAKE_OPERATION, SeccompCompiler.HANDSHAKE_FLAGS, 0));
        assertEquals(LinuxSyscalls.SECCOMP_RET_ERRNO | 1, BpfInterpreter.run(program, LinuxSyscalls.SYS_SECCOMP,
                X86_64, 0, SeccompCompiler.HANDSHAKE_OPERATION, SeccompCompiler.HANDSHAKE_FLAGS, 1));
        assertEquals(LinuxSyscalls.SECCOMP_RET_ERRNO | 1, BpfInterpreter.run(program, LinuxSyscalls.SYS_SECCOMP,
                X86_64, 0, SeccompCompiler.HANDSHAKE_OPERATION | (1L << 32), SeccompCompiler.HANDSHAKE_FLAGS, 0));
        assertEquals(LinuxSyscalls.SECCOMP_RET_ALLOW, BpfInterpreter.run(program, 59, X86_64, 0));
    }

    /** {@code count} numbers spread over the table, each with {@code checksPerRule} checks. */
    static SyscallFilter wideFilter(int count, int checksPerRule) {
        List<Rule> rules = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            List<Check> checks = new ArrayList<>();
            for (int c = 0; c < checksPerRule; c++) {
                checks.add(new Check(c, Comparison.EQ, 1000L * i + c, 0));
            }
            rules.add(new Rule(i * 3 / 2, checks, i % 2 == 0 ? Action.ERRNO : Action.NOTIFY, 1, i));
        }
        return new SyscallFilter(X86_64, Action.ALLOW, 0, rules);
    }

    @Test
    void wideFiltersFitAndSearchInLogarithmicSteps() {
        for (int count : new int[] {10, 100, 300, 400}) {
            SyscallFilter filter = wideFilter(count, 1);
            SeccompProgram program = SeccompCompiler.compile(filter);
            int depth = 32 - Integer.numberOfLeadingZeros(count - 1); // ceil(log2(count))
            int mostExecuted = 0;
            for (int i = 0; i < count; i++) {
                int number = i * 3 / 2;
                long[] matching = {1000L * i, 0, 0, 0, 0, 0};
                for (long[] args : new long[][] {matching, new long[6]}) {
                    BpfInterpreter.Outcome outcome = BpfInterpreter.execute(program, number, X86_64, 0, args);
                    assertEquals(reference(filter, number, X86_64, args), outcome.action());
                    mostExecuted = Math.max(mostExecuted, outcome.executed());
                }
            }
            // arch and x32 (4), one JGE per level (each may pass a trampoline), JEQ, the check (4), RET
            int bound = 4 + 2 * depth + 1 + 4 + 2;
            assertTrue(mostExecuted <= bound, count + " numbers: " + mostExecuted + " executed, bound " + bound);
            assertTrue(program.length() < SeccompProgram.MAX_INSTRUCTIONS, count + ": " + program.length());
            System.out.printf("seccomp: %d numbers with one 64-bit EQ each -> %d instructions, at most %d executed%n",
                    count, program.length(), mostExecuted);
        }
    }

    /** Sizes for the report; e.g. an allow-list of 300 calls, or 300 rules with two register checks. */
    @Test
    void typicalFilterSizes() {
        int[][] shapes = {{300, 0}, {300, 1}, {300, 2}, {150, 3}, {50, 1}};
        for (int[] shape : shapes) {
            SeccompProgram program = SeccompCompiler.compile(wideFilter(shape[0], shape[1]));
            assertTrue(program.length() <= SeccompProgram.MAX_INSTRUCTIONS);
            System.out.printf("seccomp: %d rules on distinct numbers, %d 64-bit EQ checks each -> %d instructions%n",
                    shape[0], shape[1], program.length());
        }
    }

    @Test
    void aFilterTooLargeForTheKernelIsAnErrorNamingItsSize() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SeccompCompiler.compile(wideFilter(500, 2)));
        assertTrue(e.getMessage().matches(
                "the system-call filter compiles to \\d+ BPF instructions; the kernel takes at most 4096"),
                e.getMessage());
    }

    @Test
    void errnosOutsideTheKernelsRangeAreRefused() {
        SyscallFilter filter = new SyscallFilter(X86_64, Action.ALLOW, 0, List.of(new Rule(1, List.of(), Action.ERRNO, 4096, 0)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SeccompCompiler.compile(filter));
        assertEquals("errno 4096 of a syscall rule is not 0..4095", e.getMessage());
    }

    @Test
    void rulesThatCannotChangeADecisionCostNothing() {
        SyscallFilter bare = new SyscallFilter(X86_64, Action.ALLOW, 0, List.of());
        SyscallFilter redundant = new SyscallFilter(X86_64, Action.ALLOW, 0, List.of(
                new Rule(3, List.of(new Check(0, Comparison.EQ, 1, 0)), Action.ALLOW, 0, 0),
                new Rule(4, List.of(), Action.ALLOW, 0, 1)));
        assertArrayEquals(SeccompCompiler.compile(bare).toBytes(), SeccompCompiler.compile(redundant).toBytes());
    }
}
