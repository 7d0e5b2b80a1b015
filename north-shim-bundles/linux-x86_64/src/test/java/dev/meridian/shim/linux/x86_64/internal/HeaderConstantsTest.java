package dev.meridian.shim.linux.x86_64.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Checks every named constant the renderer uses against the installed C headers: a small C program
 * prints each one the headers define, compiled once against the kernel's UAPI headers (authoritative)
 * and once against glibc's (for the names only glibc defines). Names newer than the installed headers
 * (Debian 12: Linux 6.1) cannot be checked and are listed.
 */
class HeaderConstantsTest {

    private static final List<String> KERNEL_HEADERS = List.of(
            "asm/termbits.h", "linux/types.h", "linux/fcntl.h", "linux/fs.h", "linux/fiemap.h", "linux/stat.h", "linux/openat2.h",
            "linux/fadvise.h", "linux/falloc.h", "linux/xattr.h", "linux/mman.h", "linux/sched.h", "linux/wait.h",
            "linux/resource.h", "linux/prctl.h", "asm/prctl.h", "linux/ptrace.h", "linux/seccomp.h", "linux/futex.h",
            "asm/signal.h", "linux/time.h", "linux/random.h", "linux/close_range.h", "linux/memfd.h",
            "linux/eventpoll.h", "linux/inotify.h", "linux/ipc.h", "linux/shm.h", "linux/sem.h", "linux/msg.h",
            "asm/socket.h", "linux/socket.h", "linux/in.h", "linux/in6.h", "linux/tcp.h", "linux/netlink.h",
            "linux/if_ether.h", "asm/ioctls.h", "linux/sockios.h");

    private static final List<String> GLIBC_HEADERS = List.of(
            "fcntl.h", "unistd.h", "signal.h", "sys/socket.h", "netinet/in.h", "netinet/tcp.h", "sys/mount.h",
            "sys/eventfd.h", "sys/timerfd.h", "sys/signalfd.h", "sys/epoll.h", "sys/inotify.h", "sys/wait.h", "sched.h", "netinet/udp.h");

    @TempDir
    Path work;

    @Test
    void namedConstantsMatchTheHeaders() throws Exception {
        assumeTrue(gccAvailable(), "gcc is not installed");
        Set<String> names = new LinkedHashSet<>();
        for (Symbol symbol : Symbols.all()) {
            names.add(symbol.name());
        }
        Map<String, Long> kernel = valuesFrom(KERNEL_HEADERS, names, "kernel");
        names.removeAll(kernel.keySet());
        Map<String, Long> glibc = valuesFrom(GLIBC_HEADERS, names, "glibc");

        List<String> wrong = new ArrayList<>();
        Set<String> unchecked = new TreeSet<>();
        int checked = 0;
        for (Symbol symbol : Symbols.all()) {
            Long expected = kernel.getOrDefault(symbol.name(), glibc.get(symbol.name()));
            if (expected == null) {
                unchecked.add(symbol.name());
            } else if (expected != symbol.value()) {
                wrong.add(symbol.name() + " is 0x" + Long.toHexString(expected) + " in the headers, 0x"
                        + Long.toHexString(symbol.value()) + " here");
            } else {
                checked++;
            }
        }
        System.out.println("HeaderConstantsTest: " + checked + " constants match the headers; not in the installed"
                + " headers (" + unchecked.size() + "): " + unchecked);
        assertEquals(List.of(), wrong);
        assertTrue(checked > 600, "only " + checked + " constants could be checked");
    }

    private Map<String, Long> valuesFrom(List<String> headers, Set<String> names, String flavour)
            throws IOException, InterruptedException {
        StringBuilder source = new StringBuilder("#define _GNU_SOURCE\n#include <stdio.h>\n");
        for (String header : headers) {
            source.append("#include <").append(header).append(">\n");
        }
        source.append("int main(void) {\n");
        for (String name : names) {
            source.append("#ifdef ").append(name).append('\n')
                    .append("    printf(\"%s %lld\\n\", \"").append(name).append("\", (long long) (").append(name)
                    .append("));\n#endif\n");
        }
        source.append("    return 0;\n}\n");
        Path program = work.resolve(flavour);
        Path file = work.resolve(flavour + ".c");
        Files.writeString(file, source);
        run(List.of("gcc", "-w", "-o", program.toString(), file.toString()));
        Map<String, Long> values = new HashMap<>();
        for (String line : run(List.of(program.toString())).split("\n")) {
            if (!line.isBlank()) {
                String[] parts = line.split(" ");
                values.put(parts[0], Long.parseLong(parts[1]));
            }
        }
        return values;
    }

    private static String run(List<String> command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), String.join(" ", command) + " did not finish");
        assertEquals(0, process.exitValue(), String.join(" ", command) + " failed:\n" + output);
        return output;
    }

    private static boolean gccAvailable() {
        try {
            return new ProcessBuilder("gcc", "--version").redirectErrorStream(true).start().waitFor() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }
}
