package dev.meridian.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The isolation options of {@code meridian run}, from the command line to what the guest sees. */
class IsolationIT {

    @TempDir
    Path workspace;

    @Test
    void theGuestSeesItsOwnNamesNetworkMountsAndLimits() throws Exception {
        Path readOnly = Files.createDirectory(workspace.resolve("ro"));
        Commands.Outcome run = Commands.meridian(List.of("run", "--journal", MeridianHome.freshJournal().toString(),
                "--net", "none", "--hostname", "box", "--tmpfs", "/mnt", "--ro", readOnly.toString(),
                "--limit", "nofile=64", "--", "/bin/sh", "-c",
                "hostname; ls -A /mnt | wc -l; ulimit -n; echo $$; awk -F: 'NR > 2 { print $1 }' /proc/net/dev;"
                        + " touch " + readOnly + "/x 2>/dev/null && echo wrote || echo read-only"));
        assertEquals(0, run.exitCode(), run::describe);
        // $$ is 2: pid 1 is the sandbox's init; /proc/net/dev lists the sandbox's own network
        assertEquals(List.of("box", "0", "64", "2", "lo", "read-only"), Commands.lines(run.out()).stream()
                .map(String::strip).toList(), run::describe);
        assertFalse(Files.exists(readOnly.resolve("x")));
    }

    @Test
    void aPortAllowListNarrowsWhatTheGuestMayConnectTo() throws Exception {
        try (ServerSocket allowed = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
                ServerSocket other = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
            String connect = "import socket, sys\n"
                    + "for port in sys.argv[1:]:\n"
                    + "    try:\n"
                    + "        socket.create_connection(('127.0.0.1', int(port))).close(); print('connected')\n"
                    + "    except PermissionError:\n"
                    + "        print('denied')\n";
            Commands.Outcome run = Commands.meridian(List.of("run", "--journal", MeridianHome.freshJournal().toString(),
                    "--allow-connect", Integer.toString(allowed.getLocalPort()), "--", "/usr/bin/python3", "-c", connect,
                    Integer.toString(allowed.getLocalPort()), Integer.toString(other.getLocalPort())));
            assertEquals("connected\ndenied\n", run.out(), run::describe);
        }
    }

    @Test
    void badIsolationOptionsAreNamedAndNothingStarts() {
        Path marker = workspace.resolve("ran");
        for (List<String> options : List.of(List.of("--net", "wifi"), List.of("--limit", "cpus=2"),
                List.of("--fd", "1"), List.of("--ro", "relative/path"), List.of("--keep"))) {
            Commands.Outcome run = Commands.meridian(Stream.concat(Stream.concat(Stream.of("run"), options.stream()),
                    Stream.of("--", "/usr/bin/touch", marker.toString())).toList());
            assertEquals(2, run.exitCode(), run::describe);
            assertTrue(run.err().startsWith("meridian: run: "), run::describe);
            assertEquals(1, Commands.lines(run.err()).size(), run::describe);
        }
        Commands.Outcome missing = Commands.meridian(List.of("run", "--rootfs", workspace.resolve("none").toString(),
                "--", "/usr/bin/touch", marker.toString()));
        assertNotEquals(0, missing.exitCode(), missing::describe);
        assertFalse(Files.exists(marker), "a sandbox ran despite a bad option");
    }
}
