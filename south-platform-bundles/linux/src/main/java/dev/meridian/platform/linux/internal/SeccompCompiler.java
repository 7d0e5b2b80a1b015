package dev.meridian.platform.linux.internal;

import dev.meridian.api.SyscallFilter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Lowers a {@link SyscallFilter} to the seccomp program the guest installs:
 * <pre>
 *   A = arch;  A == abi ? go on : KILL_PROCESS
 *   A = nr;    A &amp; X32_SYSCALL_BIT ? KILL_PROCESS : go on        (x86-64: no x32 calls)
 *   binary search (JGE) over the sorted distinct numbers that have rules, ending in
 *     A == n ? n's rules : RET default
 *   n's rules in order: each register check on the argument's two 32-bit halves; the first
 *     rule whose checks all hold returns its action; after the last one, that RET default
 *   one shared RET per distinct action
 * </pre>
 * Only the numbers that have rules are searched, so a call costs O(log n) instructions. A
 * conditional jump reaches 255 instructions at most: a farther target is reached through a JA
 * (or, for a return, a copy of the RET) placed right after the jump.
 */
final class SeccompCompiler {

    /** SECCOMP_RET_DATA: the low 16 bits of a return value carry the errno. */
    private static final int MAX_ERRNO = LinuxSyscalls.MAX_ERRNO;
    private static final int ARGS_OFFSET = (int) LinuxSyscalls.DATA_ARGS;

    /**
     * The guest's first call under the filter: {@code seccomp(HANDSHAKE_OPERATION,
     * HANDSHAKE_FLAGS, 0)}, which the kernel would refuse (EINVAL). Every guest filter notifies
     * it, so the helper waits in it until the supervisor took the listener, whatever the policy
     * lets through without notification (the listener is close-on-exec: an execve let through
     * before would take it away). The supervisor answers it with 0 itself.
     */
    static final int HANDSHAKE_OPERATION = 0x6d786563; // "mxec"
    static final int HANDSHAKE_FLAGS = 0x68616e64; // "hand"

    private SeccompCompiler() {
    }

    /** The program a guest installs for {@code filter}: the filter plus the start handshake. */
    static SeccompProgram compileForGuest(SyscallFilter filter) {
        List<SyscallFilter.Rule> rules = new ArrayList<>();
        rules.add(new SyscallFilter.Rule(LinuxSyscalls.SYS_SECCOMP, List.of(
                new SyscallFilter.Check(0, SyscallFilter.Comparison.EQ, HANDSHAKE_OPERATION, 0),
                new SyscallFilter.Check(1, SyscallFilter.Comparison.EQ, HANDSHAKE_FLAGS, 0),
                new SyscallFilter.Check(2, SyscallFilter.Comparison.EQ, 0, 0)),
                SyscallFilter.Action.NOTIFY, 0, -1));
        rules.addAll(filter.rules());
        return compile(new SyscallFilter(filter.abi(), filter.defaultAction(), filter.defaultErrno(), rules));
    }

    /**
     * @throws IllegalArgumentException when an errno is outside 0..4095 or the program would
     *     exceed the kernel's {@value SeccompProgram#MAX_INSTRUCTIONS} instructions (the message
     *     names the size)
     */
    static SeccompProgram compile(SyscallFilter filter) {
        Assembler code = new Assembler();
        int defaultAction = returnValue(filter.defaultAction(), filter.defaultErrno());
        // The default's RET comes first among the returns, so a jump to it from the last
        // instruction before them disappears.
        Label defaultReturn = code.returning(defaultAction);
        Label kill = code.returning(LinuxSyscalls.SECCOMP_RET_KILL_PROCESS);
        code.load((int) LinuxSyscalls.DATA_ARCH);
        code.jumpIf(SeccompProgram.BPF_JEQ, filter.abi(), null, kill);
        code.load((int) LinuxSyscalls.DATA_NR);
        if (filter.abi() == LinuxSyscalls.AUDIT_ARCH_X86_64) {
            code.jumpIf(SeccompProgram.BPF_JSET, LinuxSyscalls.X32_SYSCALL_BIT, kill, null);
        }
        TreeMap<Integer, List<SyscallFilter.Rule>> rulesByNumber = effectiveRules(filter.rules(), defaultAction);
        int[] numbers = rulesByNumber.keySet().stream().mapToInt(Integer::intValue).toArray();
        new Dispatch(code, numbers, rulesByNumber, defaultReturn).search(0, numbers.length);
        return code.assemble();
    }

    /** The RET value of {@code action}. */
    static int returnValue(SyscallFilter.Action action, int errno) {
        return switch (action) {
            case ALLOW -> LinuxSyscalls.SECCOMP_RET_ALLOW;
            case ERRNO -> {
                if (errno < 0 || errno > MAX_ERRNO) {
                    throw new IllegalArgumentException("errno " + errno + " of a syscall rule is not 0.." + MAX_ERRNO);
                }
                yield LinuxSyscalls.SECCOMP_RET_ERRNO | errno;
            }
            case KILL -> LinuxSyscalls.SECCOMP_RET_KILL_PROCESS;
            case NOTIFY -> LinuxSyscalls.SECCOMP_RET_USER_NOTIF;
        };
    }

    /**
     * Each number's rules without the ones that cannot change a decision: those after a rule
     * without checks (never reached), and trailing ones that return what the default returns.
     */
    private static TreeMap<Integer, List<SyscallFilter.Rule>> effectiveRules(List<SyscallFilter.Rule> rules,
            int defaultAction) {
        TreeMap<Integer, List<SyscallFilter.Rule>> byNumber = new TreeMap<>();
        for (SyscallFilter.Rule rule : rules) {
            List<SyscallFilter.Rule> ofNumber = byNumber.computeIfAbsent(rule.number(), n -> new ArrayList<>());
            if (ofNumber.isEmpty() || !ofNumber.getLast().checks().isEmpty()) {
                ofNumber.add(rule);
            }
        }
        byNumber.values().forEach(ofNumber -> {
            while (!ofNumber.isEmpty()
                    && returnValue(ofNumber.getLast().action(), ofNumber.getLast().errno()) == defaultAction) {
                ofNumber.removeLast();
            }
        });
        byNumber.values().removeIf(List::isEmpty);
        return byNumber;
    }

    /** Emits the search over the numbers (A = nr) and each number's rules. */
    private record Dispatch(Assembler code, int[] numbers, Map<Integer, List<SyscallFilter.Rule>> rules,
            Label defaultReturn) {

        void search(int from, int to) {
            if (to - from == 0) {
                code.jump(defaultReturn);
            } else if (to - from == 1) {
                // The leaf's own copy of the default's RET: near enough for its jumps.
                Label otherwise = new Label();
                code.jumpIf(SeccompProgram.BPF_JEQ, numbers[from], null, otherwise);
                rulesOf(numbers[from], otherwise);
                code.bind(otherwise);
                code.ret(defaultReturn.returnValue);
            } else {
                int middle = (from + to) >>> 1;
                Label upper = new Label();
                code.jumpIf(SeccompProgram.BPF_JGE, numbers[middle], upper, null);
                search(from, middle);
                code.bind(upper);
                search(middle, to);
            }
        }

        private void rulesOf(int number, Label otherwise) {
            List<SyscallFilter.Rule> ofNumber = rules.get(number);
            for (SyscallFilter.Rule rule : ofNumber) {
                Label action = code.returning(returnValue(rule.action(), rule.errno()));
                Label nextRule = rule == ofNumber.getLast() ? otherwise : new Label();
                List<SyscallFilter.Check> checks = rule.checks();
                if (checks.isEmpty()) {
                    code.jump(action);
                }
                for (int i = 0; i < checks.size(); i++) {
                    check(checks.get(i), i == checks.size() - 1 ? action : null, nextRule);
                }
                if (nextRule != otherwise) {
                    code.bind(nextRule);
                }
            }
        }

        /**
         * Goes to {@code pass} (null: the next instruction) when {@code arg[index] <op> value}
         * holds as unsigned 64-bit numbers, else to {@code fail}. Little-endian: the high half is
         * the word at +4; the low half decides only when the high halves are equal.
         */
        private void check(SyscallFilter.Check check, Label pass, Label fail) {
            int low = ARGS_OFFSET + 8 * check.index();
            int high = low + 4;
            int highValue = (int) (check.value() >>> 32);
            int lowValue = (int) check.value();
            Label holds = pass != null ? pass : new Label();
            if (check.op() != SyscallFilter.Comparison.MASKED_EQ && check.mask() == SyscallFilter.Check.LOW_WORD) {
                lowWordOnly(check, low, holds, fail);
                if (pass == null) {
                    code.bind(holds);
                }
                return;
            }
            switch (check.op()) {
                case EQ -> {
                    code.load(high);
                    code.jumpIf(SeccompProgram.BPF_JEQ, highValue, null, fail);
                    code.load(low);
                    code.jumpIf(SeccompProgram.BPF_JEQ, lowValue, holds, fail);
                }
                case NE -> {
                    code.load(high);
                    code.jumpIf(SeccompProgram.BPF_JEQ, highValue, null, holds);
                    code.load(low);
                    code.jumpIf(SeccompProgram.BPF_JEQ, lowValue, fail, holds);
                }
                case GT, GE -> {
                    code.load(high);
                    code.jumpIf(SeccompProgram.BPF_JGT, highValue, holds, null);
                    code.jumpIf(SeccompProgram.BPF_JEQ, highValue, null, fail);
                    code.load(low);
                    code.jumpIf(check.op() == SyscallFilter.Comparison.GT ? SeccompProgram.BPF_JGT
                            : SeccompProgram.BPF_JGE, lowValue, holds, fail);
                }
                case LT, LE -> {
                    // arg < v is !(arg >= v); arg <= v is !(arg > v)
                    code.load(high);
                    code.jumpIf(SeccompProgram.BPF_JGT, highValue, fail, null);
                    code.jumpIf(SeccompProgram.BPF_JEQ, highValue, null, holds);
                    code.load(low);
                    code.jumpIf(check.op() == SyscallFilter.Comparison.LT ? SeccompProgram.BPF_JGE
                            : SeccompProgram.BPF_JGT, lowValue, fail, holds);
                }
                case MASKED_EQ -> {
                    maskedHalf(high, (int) (check.mask() >>> 32), highValue, null, fail);
                    maskedHalf(low, (int) check.mask(), lowValue, holds, fail);
                }
            }
            if (pass == null) {
                code.bind(holds);
            }
        }

        /** A 32-bit argument: the low word alone decides, whatever the guest left in the high one. */
        private void lowWordOnly(SyscallFilter.Check check, int low, Label holds, Label fail) {
            int value = (int) check.value();
            code.load(low);
            switch (check.op()) {
                case EQ -> code.jumpIf(SeccompProgram.BPF_JEQ, value, holds, fail);
                case NE -> code.jumpIf(SeccompProgram.BPF_JEQ, value, fail, holds);
                case GT -> code.jumpIf(SeccompProgram.BPF_JGT, value, holds, fail);
                case GE -> code.jumpIf(SeccompProgram.BPF_JGE, value, holds, fail);
                case LT -> code.jumpIf(SeccompProgram.BPF_JGE, value, fail, holds);
                case LE -> code.jumpIf(SeccompProgram.BPF_JGT, value, fail, holds);
                case MASKED_EQ -> throw new AssertionError("masked checks carry their own mask");
            }
        }

        /** {@code (word & mask) == value}; a zero mask needs no load (e.g. an int argument's high half). */
        private void maskedHalf(int offset, int mask, int value, Label pass, Label fail) {
            if (mask == 0) {
                code.jump(value == 0 ? pass : fail);
                return;
            }
            code.load(offset);
            if (mask != -1) {
                code.and(mask);
            }
            code.jumpIf(SeccompProgram.BPF_JEQ, value, pass, fail);
        }
    }

    /** A position in the program; a return label also carries the RET value placed there. */
    private static final class Label {
        final Integer returnValue;
        int position = -1;

        Label() {
            this(null);
        }

        Label(Integer returnValue) {
            this.returnValue = returnValue;
        }
    }

    private sealed interface Item permits Load, And, Return, Conditional, Jump, Bind {
    }

    private record Load(int offset) implements Item {
    }

    private record And(int mask) implements Item {
    }

    private record Return(int value) implements Item {
    }

    /** A null target is the next instruction. */
    private record Conditional(int operation, int value, Label ifTrue, Label ifFalse) implements Item {
    }

    /** A null target is the next instruction: nothing is emitted. */
    private record Jump(Label target) implements Item {
    }

    private record Bind(Label label) implements Item {
    }

    /** Instructions with symbolic targets, laid out once everything is known. */
    private static final class Assembler {
        private final List<Item> items = new ArrayList<>();
        private final Map<Integer, Label> returns = new LinkedHashMap<>();

        /** The shared RET of {@code value}, emitted after the code. */
        Label returning(int value) {
            return returns.computeIfAbsent(value, Label::new);
        }

        void load(int offset) {
            items.add(new Load(offset));
        }

        void and(int mask) {
            items.add(new And(mask));
        }

        void ret(int value) {
            items.add(new Return(value));
        }

        void jumpIf(int operation, int value, Label ifTrue, Label ifFalse) {
            items.add(new Conditional(operation, value, ifTrue, ifFalse));
        }

        void jump(Label target) {
            if (target != null) {
                items.add(new Jump(target));
            }
        }

        void bind(Label label) {
            items.add(new Bind(label));
        }

        SeccompProgram assemble() {
            returns.values().forEach(label -> {
                bind(label);
                items.add(new Return(label.returnValue));
            });
            List<Item> program = withoutJumpsToNext();
            int[] address = new int[program.size()];
            // Per conditional: bit 0 = its true branch goes through a trampoline, bit 1 = its false branch.
            int[] trampolines = new int[program.size()];
            int length;
            boolean grew;
            do {
                length = layout(program, address, trampolines);
                grew = false;
                for (int i = 0; i < program.size(); i++) {
                    if (program.get(i) instanceof Conditional jump) {
                        int from = address[i] + 1;
                        if ((trampolines[i] & 1) == 0 && target(jump.ifTrue, from, trampolines[i]) - from > 255) {
                            trampolines[i] |= 1;
                            grew = true;
                        }
                        if ((trampolines[i] & 2) == 0 && target(jump.ifFalse, from, trampolines[i]) - from > 255) {
                            trampolines[i] |= 2;
                            grew = true;
                        }
                    }
                }
            } while (grew);
            if (length > SeccompProgram.MAX_INSTRUCTIONS) {
                throw new IllegalArgumentException("the system-call filter compiles to " + length
                        + " BPF instructions; the kernel takes at most " + SeccompProgram.MAX_INSTRUCTIONS);
            }
            return emit(program, address, trampolines);
        }

        /** Drops jumps to a label bound right after them. */
        private List<Item> withoutJumpsToNext() {
            List<Item> kept = new ArrayList<>(items.size());
            for (int i = 0; i < items.size(); i++) {
                if (items.get(i) instanceof Jump jump && boundBeforeNextInstruction(jump.target, i + 1)) {
                    continue;
                }
                kept.add(items.get(i));
            }
            return kept;
        }

        private boolean boundBeforeNextInstruction(Label label, int from) {
            for (int i = from; i < items.size() && items.get(i) instanceof Bind bind; i++) {
                if (bind.label == label) {
                    return true;
                }
            }
            return false;
        }

        /** Assigns addresses and label positions; returns the program's length. */
        private static int layout(List<Item> program, int[] address, int[] trampolines) {
            int pc = 0;
            for (int i = 0; i < program.size(); i++) {
                address[i] = pc;
                if (program.get(i) instanceof Bind bind) {
                    bind.label.position = pc;
                } else {
                    pc += 1 + Integer.bitCount(trampolines[i]);
                }
            }
            return pc;
        }

        private static int target(Label label, int from, int trampolines) {
            if (label == null) {
                return from + Integer.bitCount(trampolines);
            }
            if (label.position < from) {
                throw new IllegalStateException("a BPF jump must go forward");
            }
            return label.position;
        }

        private static SeccompProgram emit(List<Item> program, int[] address, int[] trampolines) {
            SeccompProgram.Builder builder = new SeccompProgram.Builder();
            for (int i = 0; i < program.size(); i++) {
                int from = address[i] + 1;
                switch (program.get(i)) {
                    case Load load -> builder.loadWord(load.offset);
                    case And and -> builder.and(and.mask);
                    case Return ret -> builder.ret(ret.value);
                    case Jump jump -> builder.jump(target(jump.target, from, 0) - from);
                    case Bind bind -> { }
                    case Conditional jump -> {
                        boolean farTrue = (trampolines[i] & 1) != 0;
                        boolean farFalse = (trampolines[i] & 2) != 0;
                        int ifTrue = farTrue ? 0 : target(jump.ifTrue, from, trampolines[i]) - from;
                        int ifFalse = farFalse ? (farTrue ? 1 : 0) : target(jump.ifFalse, from, trampolines[i]) - from;
                        builder.jumpIf(jump.operation, jump.value, ifTrue, ifFalse);
                        if (farTrue) {
                            trampoline(builder, jump.ifTrue, from);
                        }
                        if (farFalse) {
                            trampoline(builder, jump.ifFalse, from + (farTrue ? 1 : 0));
                        }
                    }
                }
            }
            return builder.build();
        }

        /** A copy of the target's RET, or a JA to it, at {@code slot}. */
        private static void trampoline(SeccompProgram.Builder builder, Label target, int slot) {
            if (target.returnValue != null) {
                builder.ret(target.returnValue);
            } else {
                builder.jump(target.position - (slot + 1));
            }
        }
    }
}
