package dev.meridian.shim.linux.x86_64;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class LinuxErrnoTest {

    private static final Pattern DEFINE = Pattern.compile("#define\\s+(E\\w+)\\s+(\\d+)\\b");

    @Test
    void namesAndNumbersMatchTheKernelHeaders() throws IOException {
        Map<Integer, String> header = new TreeMap<>();
        for (String file : new String[] {"/usr/include/asm-generic/errno-base.h", "/usr/include/asm-generic/errno.h"}) {
            Matcher define = DEFINE.matcher(Files.readString(Path.of(file)));
            while (define.find()) {
                header.put(Integer.parseInt(define.group(2)), define.group(1));
            }
        }
        assertEquals(131, header.size(), "1..133 without 41 and 58");
        Map<Integer, String> table = new TreeMap<>();
        for (int number = 1; number <= LinuxErrno.MAX; number++) {
            if (LinuxErrno.name(number) != null) {
                table.put(number, LinuxErrno.name(number));
            }
        }
        assertEquals(header, table);
    }

    @Test
    void describesErrorsAsStrerrorDoes() {
        assertEquals("No such file or directory", LinuxErrno.description(2));
        assertEquals("Operation not permitted", LinuxErrno.description(1));
        assertEquals("Memory page has hardware error", LinuxErrno.description(133));
        for (int number = 1; number <= LinuxErrno.MAX; number++) {
            assertEquals(LinuxErrno.name(number) == null, LinuxErrno.description(number) == null, "errno " + number);
        }
    }

    @Test
    void numbersByNameIncludingAliases() {
        assertEquals(13, LinuxErrno.number("EACCES"));
        assertEquals(11, LinuxErrno.number("EWOULDBLOCK"));
        assertEquals(35, LinuxErrno.number("EDEADLOCK"));
        assertEquals(-1, LinuxErrno.number("ENOTANERROR"));
        assertNull(LinuxErrno.name(41));
        assertNull(LinuxErrno.name(512));
        assertNull(LinuxErrno.name(0));
    }
}
