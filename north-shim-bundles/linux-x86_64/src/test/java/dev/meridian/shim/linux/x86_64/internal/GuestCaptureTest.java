package dev.meridian.shim.linux.x86_64.internal;

import static dev.meridian.shim.linux.x86_64.internal.Calls.event;
import static dev.meridian.shim.linux.x86_64.internal.Calls.handled;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meridian.api.SyscallEvent;
import dev.meridian.api.VerdictAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class GuestCaptureTest {

    private final FakeGuestMemory memory = new FakeGuestMemory(64 * 1024);

    private static String captured(SyscallEvent event, int arg) {
        assertTrue(event.hasCapture(arg), "argument " + arg + " was not captured");
        int offset = event.captureOffset(arg);
        return new String(event.captureData(), offset, event.captureLength(arg), StandardCharsets.ISO_8859_1);
    }

    @Test
    void capturesThePathOfOpenat() {
        SyscallEvent call = handled(event("openat", -100, memory.putString("/etc/hosts"), 0x80000), memory);
        assertEquals("/etc/hosts", captured(call, 1));
        assertFalse(call.captureTruncated(1));
        assertEquals(0b10, call.captureMask(), "only the path reads memory");
        assertEquals(VerdictAction.ALLOW, call.action(), "the policy decided after the capture");
    }

    @Test
    void cutsPathsAtPathMaxAndSaysSo() {
        String longPath = "/" + "a".repeat(5000);
        SyscallEvent call = handled(event("open", memory.putString(longPath), 0, 0), memory);
        assertEquals(GuestCapture.STRING_LIMIT, call.captureLength(0));
        assertTrue(call.captureTruncated(0));
        SyscallEvent exact = handled(event("open", memory.putString("/" + "b".repeat(4094)), 0, 0), memory);
        assertEquals(4095, exact.captureLength(0));
        assertFalse(exact.captureTruncated(0), "a path of PATH_MAX - 1 bytes is whole");
    }

    @Test
    void leavesNullAndUnreadablePointersUncaptured() {
        SyscallEvent call = handled(event("rename", 0, memory.end() + 4096), memory);
        assertEquals(0, call.captureMask());
        assertEquals(VerdictAction.ALLOW, call.action());
    }

    @Test
    void stopsReadingOnceTheCallIsGoneButStillAsksThePolicy() {
        long from = memory.putString("/from");
        long to = memory.putString("/to");
        memory.gone(true);
        AllowingPolicy policy = new AllowingPolicy();
        SyscallEvent call = event("rename", from, to);
        new LinuxX86_64Shim().handle(call, memory, policy);
        assertEquals(0, call.captureMask());
        assertEquals(1, memory.reads(), "nothing is read after GONE");
        assertEquals(1, policy.decisions());
    }

    @Test
    void capturesTheFirstBytesOfWrittenData() {
        byte[] data = new byte[100];
        Arrays.fill(data, (byte) 'x');
        SyscallEvent whole = handled(event("write", 1, memory.put("hi\n".getBytes(StandardCharsets.US_ASCII)), 3), memory);
        assertEquals("hi\n", captured(whole, 1));
        assertFalse(whole.captureTruncated(1));
        SyscallEvent cut = handled(event("write", 1, memory.put(data), 100), memory);
        assertEquals(GuestCapture.BUFFER_LIMIT, cut.captureLength(1));
        assertTrue(cut.captureTruncated(1));
        SyscallEvent empty = handled(event("write", 1, memory.put(data), 0), memory);
        assertEquals(0, empty.captureLength(1));
        assertFalse(empty.captureTruncated(1));
    }

    @Test
    void aShortReadAtTheEndOfTheMappingIsTruncated() {
        SyscallEvent call = handled(event("write", 1, memory.end() - 10, 40), memory);
        assertEquals(10, call.captureLength(1));
        assertTrue(call.captureTruncated(1));
    }

    @Test
    void capturesSocketAddressesByTheirLengthWithinBounds() {
        byte[] inet = {2, 0, 0, 80, 127, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0};
        SyscallEvent connect = handled(event("connect", 3, memory.put(inet), 16), memory);
        assertArrayEquals(inet, Arrays.copyOfRange(connect.captureData(), connect.captureOffset(1),
                connect.captureOffset(1) + connect.captureLength(1)));
        // the upper half of the register is not part of socklen_t
        SyscallEvent high = handled(event("bind", 3, memory.put(inet), 0xFFFF_FFFF_0000_0010L), memory);
        assertEquals(16, high.captureLength(1));
        assertFalse(high.captureTruncated(1));
        SyscallEvent huge = handled(event("connect", 3, memory.put(new byte[512]), 512), memory);
        assertEquals(GuestCapture.SOCKADDR_LIMIT, huge.captureLength(1));
        assertTrue(huge.captureTruncated(1));
    }

    @Test
    void sendtoCapturesDataAndDestination() {
        byte[] inet = {2, 0, 0, 53, 8, 8, 8, 8, 0, 0, 0, 0, 0, 0, 0, 0};
        SyscallEvent call = handled(event("sendto", 4, memory.put("query".getBytes(StandardCharsets.US_ASCII)), 5, 0,
                memory.put(inet), 16), memory);
        assertEquals("query", captured(call, 1));
        assertEquals(16, call.captureLength(4));
    }

    @Test
    void capturesArgvAsNulSeparatedStrings() {
        long argv = memory.putStringArray("ls", "-l", "/tmp");
        long envp = memory.putStringArray("HOME=/root", "LANG=C");
        SyscallEvent call = handled(event("execve", memory.putString("/bin/ls"), argv, envp), memory);
        assertEquals("/bin/ls", captured(call, 0));
        assertEquals("ls\0-l\0/tmp\0", captured(call, 1));
        assertFalse(call.captureTruncated(1));
        assertEquals("HOME=/root\0LANG=C\0", captured(call, 2));
    }

    @Test
    void boundsArgvByEntriesAndBytes() {
        String[] many = new String[40];
        Arrays.fill(many, "arg");
        SyscallEvent entries = handled(event("execve", memory.putString("/bin/x"), memory.putStringArray(many), 0), memory);
        assertEquals("arg\0".repeat(GuestCapture.ARRAY_ENTRY_LIMIT), captured(entries, 1));
        assertTrue(entries.captureTruncated(1));

        String[] exactly = new String[GuestCapture.ARRAY_ENTRY_LIMIT];
        Arrays.fill(exactly, "a");
        SyscallEvent full = handled(event("execve", memory.putString("/bin/x"), memory.putStringArray(exactly), 0), memory);
        assertFalse(full.captureTruncated(1), "32 entries and a NULL fit");

        SyscallEvent bytes = handled(event("execve", memory.putString("/bin/x"),
                memory.putStringArray("x".repeat(700), "y".repeat(700)), 0), memory);
        assertEquals(GuestCapture.ARRAY_BYTE_LIMIT, bytes.captureLength(1));
        assertTrue(bytes.captureTruncated(1));
        assertTrue(captured(bytes, 1).startsWith("x".repeat(700) + "\0yyy"));
        assertFalse(captured(bytes, 1).endsWith("\0"), "the cut string has no terminator");
    }

    @Test
    void sharesTheCaptureStorageAmongArgumentsWithoutOverflowing() {
        String longPath = "/" + "p".repeat(5000);
        SyscallEvent call = handled(event("mount", memory.putString(longPath), memory.putString(longPath),
                memory.putString("tmpfs"), 0, 0), memory);
        assertEquals(GuestCapture.STRING_LIMIT, call.captureLength(0));
        assertEquals(GuestCapture.STRING_LIMIT, call.captureLength(1));
        assertEquals(0, call.captureLength(2));
        assertTrue(call.captureTruncated(2), "no storage was left for the file system type");
        assertEquals(0, call.captureFree());
    }

    @Test
    void capturesOpenHowAndCloneArgsWhole() {
        SyscallEvent openat2 = handled(event("openat2", -100, memory.putString("/x"), memory.put(new byte[24]), 24),
                memory);
        assertEquals(24, openat2.captureLength(2));
        SyscallEvent clone3 = handled(event("clone3", memory.put(new byte[88]), 88), memory);
        assertEquals(88, clone3.captureLength(0));
        assertFalse(clone3.captureTruncated(0));
    }

    @Test
    void callsWithoutMemoryArgumentsAndUnknownNumbersReadNothing() {
        handled(event("getpid"), memory);
        handled(event("mmap", 0, 4096, 3, 0x22, -1, 0), memory);
        handled(event(0x40000000 | 2, memory.putString("/x32")), memory);
        handled(event(400, memory.putString("/hole")), memory);
        handled(event(-1), memory);
        assertEquals(0, memory.reads());
    }
}
