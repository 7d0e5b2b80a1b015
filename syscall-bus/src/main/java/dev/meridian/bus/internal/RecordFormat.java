package dev.meridian.bus.internal;

import dev.meridian.api.ExitStatus;
import dev.meridian.api.Policy;
import dev.meridian.api.SyscallEvent;
import dev.meridian.api.VerdictAction;
import dev.meridian.bus.internal.JournalRecord.Call;
import dev.meridian.bus.internal.JournalRecord.Completion;
import dev.meridian.bus.internal.JournalRecord.SandboxExit;
import dev.meridian.bus.internal.JournalRecord.SandboxPolicy;
import dev.meridian.bus.internal.JournalRecord.SandboxStart;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.bytes.BytesStore;

/**
 * The journal's record layout, version 1. Each record is one Chronicle excerpt of raw
 * little-endian bytes (no Wire field names), so writing a call costs a few stores into the mapped
 * file and no garbage. Decoded text is not stored: shims render it from the raw values on demand.
 *
 * <pre>
 * every record   version:u8 type:u8 sandboxId:i64
 * SANDBOX_START  wallMillis:i64 profile:str ruleCount:i32 ruleName:str* argc:i32 arg:str*
 * CALL           wallMillis:i64 receivedNanos:i64 pid:i32 tid:i32 abi:i32 nr:i32 arg:i64[6]
 *                captureMask:u8 { truncated:u8 length:i32 bytes:u8[length] } per set bit, lowest first
 * COMPLETION     callSequence:i64 action:i8 (ordinal, -1 none) errno:i32 ruleId:i32
 *                flags:u8 (1 memoryDependent, 2 interrupted, 4 resultKnown) returnValue:i64 latencyNanos:i64
 * SANDBOX_EXIT   wallMillis:i64 code:i32 signal:i32 calls:i64 (journaled) answeredCalls:i64 (platform's count)
 * SANDBOX_POLICY wallMillis:i64 policy:str ruleCount:i32 ruleName:str*   (the policy was replaced)
 * str            length:i32 utf8:u8[length]
 * </pre>
 *
 * A CALL's wallMillis is not known on the guest path (a clock read there costs every call): the
 * ring holds 0 and {@link JournalRing} stamps it from receivedNanos when it copies the record.
 * A CALL's sequence is not stored: it is the excerpt's own Chronicle index, and COMPLETION refers
 * to it. Rule ids are ints; SANDBOX_START carries the policy's rule names, SANDBOX_POLICY those of
 * a policy that replaced it (every completion after it uses the new names), and ids below -1 are
 * {@link BusRules}.
 */
final class RecordFormat {

    static final byte VERSION = 1;
    static final byte SANDBOX_START = 1;
    static final byte CALL = 2;
    static final byte COMPLETION = 3;
    static final byte SANDBOX_EXIT = 4;
    static final byte SANDBOX_POLICY = 5;

    /** Rule names probed from a policy at most; a policy that names more has the rest shown by id. */
    static final int MAX_RULE_NAMES = 4096;

    // Where fixed fields sit, for readers that take them straight from the bytes without decoding
    // the record into objects (the traffic tap). Every record starts with the same header.
    static final int TYPE_AT = 1;
    static final int SANDBOX_ID_AT = 2;
    /** START, CALL, EXIT and POLICY carry their wall clock right after the header. */
    static final int WALL_MILLIS_AT = 10;
    static final int CALL_RECEIVED_AT = 18;
    static final int CALL_PID_AT = 26;
    static final int CALL_TID_AT = 30;
    static final int CALL_ABI_AT = 34;
    static final int CALL_NUMBER_AT = 38;
    private static final int CALL_ARGS_AT = 42;
    private static final int CALL_CAPTURE_MASK_AT = 90;
    static final int COMPLETION_CALL_AT = 10;
    static final int COMPLETION_ACTION_AT = 18;
    static final int COMPLETION_ERRNO_AT = 19;
    static final int COMPLETION_RULE_AT = 23;
    static final int COMPLETION_FLAGS_AT = 27;
    static final int COMPLETION_RETURN_AT = 28;
    static final int COMPLETION_LATENCY_AT = 36;
    static final int COMPLETION_LENGTH = 44;
    private static final int HEADER_LENGTH = 10;
    /** A CALL without captures: everything up to and including the capture mask. */
    private static final int CALL_FIXED_LENGTH = CALL_CAPTURE_MASK_AT + 1;
    private static final int CAPTURE_HEADER_LENGTH = 5;
    /** A CALL with all six captures, filling the event's capture buffer. */
    static final int MAX_CALL_LENGTH = CALL_FIXED_LENGTH + SyscallEvent.MAX_ARGS * CAPTURE_HEADER_LENGTH
            + SyscallEvent.CAPTURE_CAPACITY;
    /** {@code VerdictAction.values()} copies the array on every call. */
    private static final int ACTIONS = VerdictAction.values().length;

    private static final int MEMORY_DEPENDENT = 1;
    static final int INTERRUPTED = 2;
    static final int RESULT_KNOWN = 4;

    private RecordFormat() {
    }

    // ---- writing (the CALL and COMPLETION writers run on the guest path) ----

    static void writeStart(Bytes<?> out, long sandboxId, long wallMillis, String profile, List<String> ruleNames,
            List<String> command) {
        header(out, SANDBOX_START, sandboxId);
        out.writeLong(wallMillis);
        writeString(out, profile);
        writeStrings(out, ruleNames);
        writeStrings(out, command);
    }

    static void writePolicy(Bytes<?> out, long sandboxId, long wallMillis, String policy, List<String> ruleNames) {
        header(out, SANDBOX_POLICY, sandboxId);
        out.writeLong(wallMillis);
        writeString(out, policy);
        writeStrings(out, ruleNames);
    }

    /**
     * Writes {@code call}'s CALL record at offset {@code at} of {@code out} (the sandbox's ring:
     * absolute stores, no cursor).
     *
     * @return the record's length, {@link #callLength}
     */
    static int writeCall(BytesStore<?, ?> out, long at, SyscallEvent call) {
        header(out, at, CALL, call.sandboxId());
        out.writeLong(at + WALL_MILLIS_AT, 0); // stamped from receivedNanos when copied into the queue
        out.writeLong(at + CALL_RECEIVED_AT, call.receivedNanos());
        out.writeInt(at + CALL_PID_AT, call.pid());
        out.writeInt(at + CALL_TID_AT, call.tid());
        out.writeInt(at + CALL_ABI_AT, call.abi());
        out.writeInt(at + CALL_NUMBER_AT, call.number());
        for (int i = 0; i < SyscallEvent.MAX_ARGS; i++) {
            out.writeLong(at + CALL_ARGS_AT + 8L * i, call.arg(i));
        }
        int mask = call.captureMask();
        out.writeByte(at + CALL_CAPTURE_MASK_AT, (byte) mask);
        long p = at + CALL_FIXED_LENGTH;
        for (int i = 0; i < SyscallEvent.MAX_ARGS; i++) {
            if ((mask & (1 << i)) != 0) {
                int length = call.captureLength(i);
                out.writeByte(p, (byte) (call.captureTruncated(i) ? 1 : 0));
                out.writeInt(p + 1, length);
                out.write(p + CAPTURE_HEADER_LENGTH, call.captureData(), call.captureOffset(i), length);
                p += CAPTURE_HEADER_LENGTH + length;
            }
        }
        return (int) (p - at);
    }

    /** How many bytes {@link #writeCall} writes for {@code call}. */
    static int callLength(SyscallEvent call) {
        int length = CALL_FIXED_LENGTH;
        int mask = call.captureMask();
        for (int i = 0; i < SyscallEvent.MAX_ARGS; i++) {
            if ((mask & (1 << i)) != 0) {
                length += CAPTURE_HEADER_LENGTH + call.captureLength(i);
            }
        }
        return length;
    }

    static int align8(int length) {
        return (length + 7) & ~7;
    }

    /**
     * Writes {@code call}'s COMPLETION record at {@code at} in {@code out}. Its CALL's journal index
     * is not known on the guest path: the field holds -1 until the ring's writer puts the index in
     * the journal's copy.
     *
     * @return the record's length, {@link #COMPLETION_LENGTH}
     */
    static int writeCompletion(BytesStore<?, ?> out, long at, SyscallEvent call) {
        header(out, at, COMPLETION, call.sandboxId());
        out.writeLong(at + COMPLETION_CALL_AT, -1L);
        VerdictAction action = call.action();
        out.writeByte(at + COMPLETION_ACTION_AT, (byte) (action == null ? -1 : action.ordinal()));
        out.writeInt(at + COMPLETION_ERRNO_AT, call.errno());
        out.writeInt(at + COMPLETION_RULE_AT, call.ruleId());
        out.writeByte(at + COMPLETION_FLAGS_AT, (byte) ((call.memoryDependent() ? MEMORY_DEPENDENT : 0)
                | (call.interrupted() ? INTERRUPTED : 0)
                | (call.resultKnown() ? RESULT_KNOWN : 0)));
        out.writeLong(at + COMPLETION_RETURN_AT, call.returnValue());
        out.writeLong(at + COMPLETION_LATENCY_AT, call.latencyNanos());
        return COMPLETION_LENGTH;
    }

    static void writeExit(Bytes<?> out, long sandboxId, long wallMillis, ExitStatus status, long calls,
            long answeredCalls) {
        header(out, SANDBOX_EXIT, sandboxId);
        out.writeLong(wallMillis);
        out.writeInt(status.code());
        out.writeInt(status.signal());
        out.writeLong(calls);
        out.writeLong(answeredCalls);
    }

    /**
     * The names of {@code policy}'s rules by id, probing ids 0, 1, … until {@link Policy#ruleName}
     * returns {@code null} or rejects the id (the API has no rule count).
     */
    static List<String> ruleNames(Policy policy) {
        List<String> names = new ArrayList<>();
        try {
            for (int id = 0; id < MAX_RULE_NAMES; id++) {
                String name = policy.ruleName(id);
                if (name == null) {
                    break;
                }
                names.add(name);
            }
        } catch (RuntimeException pastTheLastRule) {
            // Policies that reject unknown ids end the table this way.
        }
        return names;
    }

    private static void header(BytesStore<?, ?> out, long at, byte type, long sandboxId) {
        out.writeByte(at, VERSION);
        out.writeByte(at + TYPE_AT, type);
        out.writeLong(at + SANDBOX_ID_AT, sandboxId);
    }

    private static void header(Bytes<?> out, byte type, long sandboxId) {
        out.writeByte(VERSION);
        out.writeByte(type);
        out.writeLong(sandboxId);
    }

    private static void writeStrings(Bytes<?> out, List<String> strings) {
        out.writeInt(strings.size());
        for (String s : strings) {
            writeString(out, s);
        }
    }

    private static void writeString(Bytes<?> out, String s) {
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        out.writeInt(utf8.length);
        out.write(utf8);
    }

    // ---- reading (off the guest path) ----

    /** A record that cannot be decoded; the message says why. */
    static final class MalformedRecordException extends Exception {
        private static final long serialVersionUID = 1L;

        MalformedRecordException(String message) {
            super(message);
        }
    }

    /**
     * Decodes the excerpt at journal index {@code index} from {@code bytes[0, length)}.
     *
     * @throws MalformedRecordException naming the defect (truncated, unknown version or type, bad field)
     */
    static JournalRecord decode(byte[] bytes, int length, long index) throws MalformedRecordException {
        return decode(ByteBuffer.wrap(bytes, 0, length).order(ByteOrder.LITTLE_ENDIAN), index);
    }

    /** Decodes the record in {@code in} (little-endian, from position 0 to its limit). */
    static JournalRecord decode(ByteBuffer in, long index) throws MalformedRecordException {
        byte type = checkedType(in);
        try {
            in.position(HEADER_LENGTH);
            long sandboxId = in.getLong(SANDBOX_ID_AT);
            JournalRecord record = switch (type) {
                case SANDBOX_START -> new SandboxStart(sandboxId, in.getLong(), readString(in), readStrings(in),
                        readStrings(in));
                case CALL -> readCall(in, sandboxId, index);
                case COMPLETION -> readCompletion(in, sandboxId);
                case SANDBOX_EXIT -> new SandboxExit(sandboxId, in.getLong(), new ExitStatus(in.getInt(), in.getInt()),
                        in.getLong(), in.getLong());
                case SANDBOX_POLICY -> new SandboxPolicy(sandboxId, in.getLong(), readString(in), readStrings(in));
                default -> throw new MalformedRecordException("unknown record type " + type);
            };
            if (in.hasRemaining()) {
                throw new MalformedRecordException(in.remaining() + " unexpected bytes after the record");
            }
            return record;
        } catch (BufferUnderflowException e) {
            throw truncated(in);
        }
    }

    /**
     * The type of the record in {@code in} (from position 0 to its limit), its version and header
     * checked; the body is not. Allocates nothing unless the record is malformed.
     */
    static byte checkedType(ByteBuffer in) throws MalformedRecordException {
        int length = in.limit();
        if (length == 0) {
            throw new MalformedRecordException("empty record");
        }
        byte version = in.get(0);
        if (version != VERSION) {
            throw new MalformedRecordException("unsupported record version " + version);
        }
        if (length < HEADER_LENGTH) {
            throw truncated(in);
        }
        return in.get(TYPE_AT);
    }

    /** Checks a CALL record's body (captures included) without allocating unless it is malformed. */
    static void checkCall(ByteBuffer in) throws MalformedRecordException {
        int length = in.limit();
        int at = CALL_CAPTURE_MASK_AT + 1;
        if (length < at) {
            throw truncated(in);
        }
        int mask = in.get(CALL_CAPTURE_MASK_AT) & 0xff;
        if (mask >= 1 << SyscallEvent.MAX_ARGS) {
            throw new MalformedRecordException("bad capture mask 0x" + Integer.toHexString(mask));
        }
        for (int i = 0; i < SyscallEvent.MAX_ARGS; i++) {
            if ((mask & (1 << i)) != 0) {
                if (length < at + 1 + Integer.BYTES) {
                    throw truncated(in);
                }
                byte truncatedFlag = in.get(at);
                if (truncatedFlag != 0 && truncatedFlag != 1) {
                    throw new MalformedRecordException("bad flag byte " + truncatedFlag);
                }
                int captured = in.getInt(at + 1);
                at += 1 + Integer.BYTES;
                if (captured < 0 || captured > SyscallEvent.CAPTURE_CAPACITY || captured > length - at) {
                    throw new MalformedRecordException("bad length " + captured);
                }
                at += captured;
            }
        }
        if (at < length) {
            throw new MalformedRecordException(length - at + " unexpected bytes after the record");
        }
    }

    /** Checks a COMPLETION record's body without allocating unless it is malformed. */
    static void checkCompletion(ByteBuffer in) throws MalformedRecordException {
        int length = in.limit();
        if (length < COMPLETION_LENGTH) {
            throw truncated(in);
        }
        if (length > COMPLETION_LENGTH) {
            throw new MalformedRecordException(length - COMPLETION_LENGTH + " unexpected bytes after the record");
        }
        byte ordinal = in.get(COMPLETION_ACTION_AT);
        if (ordinal < -1 || ordinal >= ACTIONS) {
            throw new MalformedRecordException("unknown verdict action " + ordinal);
        }
        int flags = in.get(COMPLETION_FLAGS_AT) & 0xff;
        if ((flags & ~(MEMORY_DEPENDENT | INTERRUPTED | RESULT_KNOWN)) != 0) {
            throw new MalformedRecordException("bad completion flags 0x" + Integer.toHexString(flags));
        }
    }

    /** A COMPLETION's action as recorded (checked by {@link #checkCompletion}), or null for none. */
    static VerdictAction completionAction(ByteBuffer in) {
        byte ordinal = in.get(COMPLETION_ACTION_AT);
        return ordinal == -1 ? null : VerdictAction.ofOrdinal(ordinal);
    }

    private static MalformedRecordException truncated(ByteBuffer in) {
        return new MalformedRecordException("truncated record (" + in.limit() + " bytes)");
    }

    /** Reads a CALL whose body {@link #checkCall} accepted. */
    private static Call readCall(ByteBuffer in, long sandboxId, long index) throws MalformedRecordException {
        checkCall(in);
        long wallMillis = in.getLong();
        long receivedNanos = in.getLong();
        int pid = in.getInt();
        int tid = in.getInt();
        int abi = in.getInt();
        int number = in.getInt();
        long[] args = new long[SyscallEvent.MAX_ARGS];
        for (int i = 0; i < args.length; i++) {
            args[i] = in.getLong();
        }
        int mask = in.get() & 0xff;
        byte[][] captures = new byte[SyscallEvent.MAX_ARGS][];
        boolean[] truncated = new boolean[SyscallEvent.MAX_ARGS];
        for (int i = 0; i < SyscallEvent.MAX_ARGS; i++) {
            if ((mask & (1 << i)) != 0) {
                truncated[i] = in.get() == 1;
                captures[i] = new byte[in.getInt()];
                in.get(captures[i]);
            }
        }
        return new Call(sandboxId, index, wallMillis, receivedNanos, pid, tid, abi, number, args, captures,
                truncated);
    }

    private static Completion readCompletion(ByteBuffer in, long sandboxId) throws MalformedRecordException {
        checkCompletion(in);
        long callSequence = in.getLong();
        VerdictAction action = completionAction(in);
        in.get();
        int errno = in.getInt();
        int ruleId = in.getInt();
        int flags = in.get() & 0xff;
        return new Completion(sandboxId, callSequence, action, errno, ruleId, (flags & MEMORY_DEPENDENT) != 0,
                (flags & INTERRUPTED) != 0, (flags & RESULT_KNOWN) != 0, in.getLong(), in.getLong());
    }

    private static List<String> readStrings(ByteBuffer in) throws MalformedRecordException {
        int count = readLength(in, in.remaining() / Integer.BYTES);
        List<String> strings = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            strings.add(readString(in));
        }
        return List.copyOf(strings);
    }

    private static String readString(ByteBuffer in) throws MalformedRecordException {
        byte[] utf8 = new byte[readLength(in, in.remaining())];
        in.get(utf8);
        return new String(utf8, StandardCharsets.UTF_8);
    }

    /** A length field, which must lie in {@code [0, max]} and fit the bytes left. */
    private static int readLength(ByteBuffer in, int max) throws MalformedRecordException {
        int length = in.getInt();
        if (length < 0 || length > max || length > in.remaining()) {
            throw new MalformedRecordException("bad length " + length);
        }
        return length;
    }
}
