package dev.meridian.platform.linux.internal;

import dev.meridian.api.ExitStatus;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * What the exec helper, its namespace init and the guest reported on the report FIFO (records
 * as meridian-exec.c documents them). Read on the supervisor thread at start and at the end,
 * never on the guest path.
 */
final class HelperReport {

    static final int RECORD_INIT = 1;
    static final int RECORD_READY = 2;
    static final int RECORD_EXIT = 3;
    static final int RECORD_FAIL = 4;
    static final int NAMESPACE_USER_PID = 2;

    private static final int HEADER_BYTES = 8;

    private final ByteBuffer pending = ByteBuffer.allocate(64 * 1024).order(ByteOrder.nativeOrder());

    int initPid = -1;
    int namespaceKind;
    int guestPid = -1;
    int listenerFd = -1;
    int seccompFlags;
    boolean exited;
    int rawExitStatus;
    /** User + system CPU time of the whole sandbox, from the EXIT record; -1 without one. */
    long cpuNanos = -1;
    String failure;

    boolean ready() {
        return initPid > 0 && guestPid > 0;
    }

    /**
     * Reads what the FIFO holds now (it is non-blocking) and parses every complete record.
     *
     * @return false once every writer is gone and all was read
     */
    boolean drain(MemorySegment callState, int fifoFd, MemorySegment buffer) {
        for (;;) {
            long count = LinuxSyscalls.read(callState, fifoFd, buffer, Math.min(buffer.byteSize(), pending.remaining()));
            if (count > 0) {
                pending.put(buffer.asSlice(0, count).toArray(ValueLayout.JAVA_BYTE));
                parse();
                continue;
            }
            if (count == 0) {
                return false;
            }
            int errno = LinuxSyscalls.errno(callState);
            if (errno == LinuxSyscalls.EAGAIN) {
                return true;
            }
            if (errno != LinuxSyscalls.EINTR) {
                throw new IllegalStateException(LinuxSyscalls.describe("cannot read the helper's report", errno));
            }
        }
    }

    private void parse() {
        pending.flip();
        while (pending.remaining() >= HEADER_BYTES) {
            int start = pending.position();
            int type = pending.getInt();
            int length = pending.getInt();
            if (length < 0 || length > pending.capacity() - HEADER_BYTES) {
                throw new IllegalStateException("malformed helper report record (length " + length + ")");
            }
            if (pending.remaining() < length) {
                pending.position(start);
                break;
            }
            ByteBuffer payload = pending.slice(pending.position(), length).order(ByteOrder.nativeOrder());
            pending.position(pending.position() + length);
            accept(type, payload);
        }
        pending.compact();
    }

    private void accept(int type, ByteBuffer payload) {
        switch (type) {
            case RECORD_INIT -> {
                initPid = payload.getInt();
                namespaceKind = payload.getInt();
            }
            case RECORD_READY -> {
                guestPid = payload.getInt();
                listenerFd = payload.getInt();
                seccompFlags = payload.getInt();
            }
            case RECORD_EXIT -> {
                exited = true;
                rawExitStatus = payload.getInt();
                if (payload.remaining() >= 16) {
                    cpuNanos = (payload.getLong() + payload.getLong()) * 1000;
                }
            }
            case RECORD_FAIL -> failure = StandardCharsets.UTF_8.decode(payload).toString();
            default -> throw new IllegalStateException("unknown helper report record type " + type);
        }
    }

    /** Decodes a wait(2) status: exit code in bits 8-15, or the killing signal in bits 0-6. */
    static ExitStatus decode(int rawStatus) {
        int signal = rawStatus & 0x7f;
        return signal == 0 ? ExitStatus.exited((rawStatus >> 8) & 0xff) : ExitStatus.killed(signal);
    }
}
