package dev.meridian.api;

import java.util.List;
import java.util.Objects;

/**
 * The system-call layer of a {@link Confinement}: decisions on the call number and register
 * arguments only (never on memory the arguments point to, which the guest can change), made in
 * the kernel. A call is judged by the first rule for its number whose checks all hold, else by
 * the default. Calls made through another ABI than {@link #abi} are killed by every platform.
 *
 * @param abi the ABI the numbers belong to (on Linux, the AUDIT_ARCH value)
 * @param defaultAction what happens to a call no rule matches
 * @param defaultErrno the errno of a default {@link Action#ERRNO}
 * @param rules the rules, in order of precedence within one call number
 */
public record SyscallFilter(int abi, Action defaultAction, int defaultErrno, List<Rule> rules) {

    /** What the kernel does with a call. */
    public enum Action {
        /** Run the call. */
        ALLOW,
        /** Fail the call with the rule's errno, without the supervisor seeing it. */
        ERRNO,
        /** Kill the whole guest process. */
        KILL,
        /** Suspend the call and ask the supervisor, which asks the {@link Policy}. */
        NOTIFY
    }

    /** Unsigned 64-bit comparisons of one register argument. */
    public enum Comparison {
        EQ, NE, LT, LE, GT, GE,
        /** {@code (arg & mask) == value}. */
        MASKED_EQ
    }

    /**
     * {@code arg[index] <op> value}. For {@link Comparison#MASKED_EQ}, {@code (arg & mask) == value}.
     * For the other comparisons {@code mask} says how wide the argument is: 0 for the whole 64-bit
     * register, {@link #LOW_WORD} for an argument the kernel reads as 32 bits (an {@code int}),
     * whose upper half the guest may fill with anything: only the low 32 bits are compared.
     */
    public record Check(int index, Comparison op, long value, long mask) {

        /** The mask of a 32-bit argument. */
        public static final long LOW_WORD = 0xFFFF_FFFFL;

        public Check {
            if (index < 0 || index >= SyscallEvent.MAX_ARGS) {
                throw new IllegalArgumentException("argument index " + index + " is not 0.." + (SyscallEvent.MAX_ARGS - 1));
            }
            Objects.requireNonNull(op, "op");
            if (op != Comparison.MASKED_EQ && mask != 0 && (mask != LOW_WORD || (value & ~LOW_WORD) != 0)) {
                throw new IllegalArgumentException("a " + op + " check compares all 64 bits (mask 0) or a 32-bit"
                        + " argument (mask 0xffffffff, value below 2^32), not mask 0x" + Long.toHexString(mask)
                        + " with value 0x" + Long.toHexString(value));
            }
        }

        /** Whether the check holds for a register holding {@code arg}: the reference semantics. */
        public boolean holds(long arg) {
            if (op == Comparison.MASKED_EQ) {
                return (arg & mask) == value;
            }
            long operand = mask == LOW_WORD ? arg & LOW_WORD : arg;
            return switch (op) {
                case EQ -> operand == value;
                case NE -> operand != value;
                case LT -> Long.compareUnsigned(operand, value) < 0;
                case LE -> Long.compareUnsigned(operand, value) <= 0;
                case GT -> Long.compareUnsigned(operand, value) > 0;
                case GE -> Long.compareUnsigned(operand, value) >= 0;
                case MASKED_EQ -> throw new AssertionError();
            };
        }
    }

    /**
     * @param number the call's number in {@link SyscallFilter#abi}
     * @param checks conditions that must all hold; empty matches every call of this number
     * @param action what happens when the rule matches
     * @param errno the errno of {@link Action#ERRNO}
     * @param ruleId the policy rule this came from (see {@link Policy#ruleName})
     */
    public record Rule(int number, List<Check> checks, Action action, int errno, int ruleId) {
        public Rule {
            checks = List.copyOf(checks);
            Objects.requireNonNull(action, "action");
            if (number < 0) {
                throw new IllegalArgumentException("negative system call number " + number);
            }
        }
    }

    public SyscallFilter {
        Objects.requireNonNull(defaultAction, "defaultAction");
        rules = List.copyOf(rules);
    }

    /** Every call of {@code abi} goes to the supervisor. */
    public static SyscallFilter notifyAll(int abi) {
        return new SyscallFilter(abi, Action.NOTIFY, 0, List.of());
    }
}
