package dev.meridian.platform.linux.internal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Runs a seccomp program over one {@code struct seccomp_data} as the kernel would, for the
 * instructions the platform emits (absolute word loads, AND with a constant, JEQ/JSET/JGT/JGE
 * with constants, JA, RET with a constant). Anything else fails the test rather than guessing.
 */
final class BpfInterpreter {

    /** What the program returned and how many instructions it executed to get there. */
    record Outcome(int action, int executed) {
    }

    private BpfInterpreter() {
    }

    static int run(SeccompProgram program, int number, int arch, long instructionPointer, long... args) {
        return execute(program, number, arch, instructionPointer, args).action();
    }

    static Outcome execute(SeccompProgram program, int number, int arch, long instructionPointer, long... args) {
        ByteBuffer data = ByteBuffer.allocate((int) LinuxSyscalls.SECCOMP_DATA.byteSize())
                .order(ByteOrder.LITTLE_ENDIAN)
                .putInt(number).putInt(arch).putLong(instructionPointer);
        for (int i = 0; i < 6; i++) {
            data.putLong(i < args.length ? args[i] : 0);
        }
        int accumulator = 0;
        int executed = 0;
        for (int pc = 0; pc < program.length(); pc++) {
            executed++;
            int code = program.code(pc);
            int k = program.constant(pc);
            switch (code & 0x07) {
                case SeccompProgram.BPF_LD -> {
                    if (code != (SeccompProgram.BPF_LD | SeccompProgram.BPF_W | SeccompProgram.BPF_ABS)) {
                        throw new AssertionError("unsupported load 0x" + Integer.toHexString(code) + " at " + pc);
                    }
                    if (k < 0 || k % 4 != 0 || k + 4 > data.capacity()) {
                        throw new AssertionError("load outside seccomp_data at " + pc + ": " + k);
                    }
                    accumulator = data.getInt(k);
                }
                case SeccompProgram.BPF_ALU -> {
                    if (code != (SeccompProgram.BPF_ALU | SeccompProgram.BPF_AND | SeccompProgram.BPF_K)) {
                        throw new AssertionError("unsupported ALU operation 0x" + Integer.toHexString(code) + " at " + pc);
                    }
                    accumulator &= k;
                }
                case SeccompProgram.BPF_JMP -> {
                    if ((code & 0x08) != SeccompProgram.BPF_K) {
                        throw new AssertionError("jump on register at " + pc);
                    }
                    int operation = code & 0xF0;
                    if (operation == SeccompProgram.BPF_JA) {
                        pc += k;
                        continue;
                    }
                    boolean taken = switch (operation) {
                        case SeccompProgram.BPF_JEQ -> accumulator == k;
                        case SeccompProgram.BPF_JSET -> (accumulator & k) != 0;
                        case SeccompProgram.BPF_JGT -> Integer.compareUnsigned(accumulator, k) > 0;
                        case SeccompProgram.BPF_JGE -> Integer.compareUnsigned(accumulator, k) >= 0;
                        default -> throw new AssertionError("unsupported jump 0x" + Integer.toHexString(code));
                    };
                    pc += taken ? program.jumpIfTrue(pc) : program.jumpIfFalse(pc);
                }
                case SeccompProgram.BPF_RET -> {
                    if ((code & 0x18) != SeccompProgram.BPF_K) {
                        throw new AssertionError("return of a register at " + pc);
                    }
                    return new Outcome(k, executed);
                }
                default -> throw new AssertionError("unsupported class 0x" + Integer.toHexString(code) + " at " + pc);
            }
        }
        throw new AssertionError("the program ran off its end");
    }
}
