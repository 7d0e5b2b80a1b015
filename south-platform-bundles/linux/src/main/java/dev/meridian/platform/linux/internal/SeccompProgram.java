package dev.meridian.platform.linux.internal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import dev.meridian.api.SyscallFilter;

/**
 * A classic BPF program for seccomp: the {@code struct sock_filter} array the guest installs.
 * Immutable. {@link SeccompCompiler} makes one from a policy's {@link SyscallFilter}.
 */
final class SeccompProgram {

    /** BPF_MAXINSNS: the kernel refuses longer programs. */
    static final int MAX_INSTRUCTIONS = 4096;
    /** Bytes of one {@code struct sock_filter}: u16 code, u8 jt, u8 jf, u32 k. */
    static final int INSTRUCTION_BYTES = 8;

    // Opcodes (linux/bpf_common.h)
    static final int BPF_LD = 0x00;
    static final int BPF_ALU = 0x04;
    static final int BPF_JMP = 0x05;
    static final int BPF_RET = 0x06;
    static final int BPF_W = 0x00;
    static final int BPF_ABS = 0x20;
    static final int BPF_K = 0x00;
    static final int BPF_AND = 0x50;
    static final int BPF_JA = 0x00;
    static final int BPF_JEQ = 0x10;
    static final int BPF_JGT = 0x20;
    static final int BPF_JGE = 0x30;
    static final int BPF_JSET = 0x40;

    private static final SeccompProgram NOTIFY_ALL =
            SeccompCompiler.compileForGuest(SyscallFilter.notifyAll(LinuxSyscalls.AUDIT_ARCH_X86_64));

    private final short[] codes;
    private final byte[] jumpsIfTrue;
    private final byte[] jumpsIfFalse;
    private final int[] constants;

    private SeccompProgram(short[] codes, byte[] jumpsIfTrue, byte[] jumpsIfFalse, int[] constants) {
        this.codes = codes;
        this.jumpsIfTrue = jumpsIfTrue;
        this.jumpsIfFalse = jumpsIfFalse;
        this.constants = constants;
    }

    /**
     * Sends every x86-64 call to the supervisor and kills the process on any other entry point
     * (32-bit {@code int 0x80}, x32), whose numbers mean different calls.
     */
    static SeccompProgram notifyEverything() {
        return NOTIFY_ALL;
    }

    int length() {
        return codes.length;
    }

    int code(int index) {
        return codes[index] & 0xFFFF;
    }

    int jumpIfTrue(int index) {
        return jumpsIfTrue[index] & 0xFF;
    }

    int jumpIfFalse(int index) {
        return jumpsIfFalse[index] & 0xFF;
    }

    int constant(int index) {
        return constants[index];
    }

    /** The program as the kernel reads it: {@code struct sock_filter[length()]}, little-endian. */
    byte[] toBytes() {
        ByteBuffer bytes = ByteBuffer.allocate(length() * INSTRUCTION_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < length(); i++) {
            bytes.putShort(codes[i]).put(jumpsIfTrue[i]).put(jumpsIfFalse[i]).putInt(constants[i]);
        }
        return bytes.array();
    }

    /** Appends instructions; jump offsets count instructions after the jump, as in BPF. */
    static final class Builder {
        private short[] codes = new short[16];
        private byte[] jumpsIfTrue = new byte[16];
        private byte[] jumpsIfFalse = new byte[16];
        private int[] constants = new int[16];
        private int length;

        /** A = the 32-bit word at {@code offset} of {@code struct seccomp_data}. */
        Builder loadWord(int offset) {
            return add(BPF_LD | BPF_W | BPF_ABS, 0, 0, offset);
        }

        Builder jumpIfEqual(int value, int ifTrue, int ifFalse) {
            return jumpIf(BPF_JEQ, value, ifTrue, ifFalse);
        }

        /** Skips {@code offset} instructions: the only jump whose reach is not limited to 255. */
        Builder jump(int offset) {
            if (offset < 0) {
                throw new IllegalArgumentException("BPF jumps go forward only: " + offset);
            }
            return add(BPF_JMP | BPF_JA, 0, 0, offset);
        }

        /** A = A & {@code mask}. */
        Builder and(int mask) {
            return add(BPF_ALU | BPF_AND | BPF_K, 0, 0, mask);
        }

        /**
         * Jumps by {@code ifTrue} when {@code A <operation> value} holds, else by {@code ifFalse}:
         * BPF_JEQ, BPF_JGT and BPF_JGE (unsigned), BPF_JSET ({@code A & value} not zero).
         */
        Builder jumpIf(int operation, int value, int ifTrue, int ifFalse) {
            return add(BPF_JMP | operation | BPF_K, ifTrue, ifFalse, value);
        }

        Builder ret(int action) {
            return add(BPF_RET | BPF_K, 0, 0, action);
        }

        private Builder add(int code, int ifTrue, int ifFalse, int constant) {
            if (ifTrue < 0 || ifTrue > 255 || ifFalse < 0 || ifFalse > 255) {
                throw new IllegalArgumentException("BPF jump offsets are 0..255: " + ifTrue + ", " + ifFalse);
            }
            if (length == MAX_INSTRUCTIONS) {
                throw new IllegalStateException("a seccomp program has at most " + MAX_INSTRUCTIONS
                        + " instructions");
            }
            if (length == codes.length) {
                int capacity = Math.min(MAX_INSTRUCTIONS, length * 2);
                codes = Arrays.copyOf(codes, capacity);
                jumpsIfTrue = Arrays.copyOf(jumpsIfTrue, capacity);
                jumpsIfFalse = Arrays.copyOf(jumpsIfFalse, capacity);
                constants = Arrays.copyOf(constants, capacity);
            }
            codes[length] = (short) code;
            jumpsIfTrue[length] = (byte) ifTrue;
            jumpsIfFalse[length] = (byte) ifFalse;
            constants[length] = constant;
            length++;
            return this;
        }

        SeccompProgram build() {
            if (length == 0) {
                throw new IllegalStateException("a seccomp program needs at least one instruction");
            }
            for (int i = 0; i < length; i++) {
                int code = codes[i] & 0xFFFF;
                long reach = code == (BPF_JMP | BPF_JA) ? Integer.toUnsignedLong(constants[i])
                        : Math.max(jumpsIfTrue[i] & 0xFF, jumpsIfFalse[i] & 0xFF);
                if ((code & 0x07) == BPF_JMP && i + 1 + reach >= length) {
                    throw new IllegalStateException("jump at instruction " + i + " leaves the program");
                }
            }
            if ((codes[length - 1] & 0x07) != BPF_RET) {
                throw new IllegalStateException("a seccomp program must end with a return");
            }
            return new SeccompProgram(Arrays.copyOf(codes, length), Arrays.copyOf(jumpsIfTrue, length),
                    Arrays.copyOf(jumpsIfFalse, length), Arrays.copyOf(constants, length));
        }
    }
}
