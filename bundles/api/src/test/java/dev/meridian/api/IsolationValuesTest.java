package dev.meridian.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class IsolationValuesTest {

    private static String refusal(Function<String, ?> parser, String text) {
        return assertThrows(IllegalArgumentException.class, () -> parser.apply(text), text).getMessage();
    }

    @Test
    void networksInAnyCase() {
        assertEquals(Isolation.Network.NONE, IsolationValues.network("none"));
        assertEquals(Isolation.Network.LOOPBACK, IsolationValues.network("LoopBack"));
        assertEquals(Isolation.Network.HOST, IsolationValues.network("host"));
        assertEquals("takes none, loopback or host, not 'wifi'", refusal(IsolationValues::network, "wifi"));
        assertEquals("takes none, loopback or host, not ''", refusal(IsolationValues::network, ""));
    }

    @Test
    void portsAndRanges() {
        assertEquals(List.of(80, 443, 8000, 8001, 8002), List.copyOf(IsolationValues.ports("80,443,8000-8002")));
        assertEquals(Set.of(0, 65535), IsolationValues.ports("0,65535,0"));
        assertEquals(Set.of(7), IsolationValues.ports("7-7"));
        assertEquals("takes ports 0 to 65535, not '65536'", refusal(IsolationValues::ports, "80,65536"));
        assertEquals("takes ports 0 to 65535, not 'x'", refusal(IsolationValues::ports, "1-x"));
        assertEquals("takes ports 0 to 65535, not ''", refusal(IsolationValues::ports, "80,"));
        assertEquals("takes ports 0 to 65535, not '-1'", refusal(IsolationValues::ports, "-1"));
        assertEquals("takes ports 0 to 65535, not '8000-'", refusal(IsolationValues::ports, "8000-"));
        assertEquals("takes ranges from low to high, not '9-8'", refusal(IsolationValues::ports, "1,9-8"));
    }

    @Test
    void amountsWithBinaryUnits() {
        assertEquals(0, IsolationValues.amount("0"));
        assertEquals(10, IsolationValues.amount("10"));
        assertEquals(2048, IsolationValues.amount("2k"));
        assertEquals(3L << 20, IsolationValues.amount("3M"));
        assertEquals(1L << 30, IsolationValues.amount("1G"));
        assertEquals(Long.MAX_VALUE, IsolationValues.amount(Long.toString(Long.MAX_VALUE)));
        for (String bad : List.of("", "G", "-1", "1T", "1.5", "x", "9223372036854775807K")) {
            assertEquals("takes a non-negative number (K, M, G allowed), not '" + bad + "'",
                    refusal(IsolationValues::amount, bad));
        }
    }

    @Test
    void hostnames() {
        assertEquals("box-1.local", IsolationValues.hostname("box-1.local"));
        assertEquals("a".repeat(64), IsolationValues.hostname("a".repeat(64)));
        assertEquals("takes 1 to 64 letters, digits, '.' and '-', not 'a b'", refusal(IsolationValues::hostname, "a b"));
        refusal(IsolationValues::hostname, "");
        refusal(IsolationValues::hostname, "a".repeat(65));
    }

    @Test
    void limitsByName() {
        assertEquals(Map.entry(Isolation.Limit.CPU_SECONDS, 10L), IsolationValues.limit("cpu", "10"));
        assertEquals(Map.entry(Isolation.Limit.ADDRESS_SPACE, 1L << 30), IsolationValues.limit("as", "1G"));
        assertEquals(Map.entry(Isolation.Limit.PROCESSES, 64L), IsolationValues.limit("nproc", "64"));
        assertEquals(Map.entry(Isolation.Limit.FILE_SIZE, 1L << 20), IsolationValues.limit("fsize", "1M"));
        assertEquals(Map.entry(Isolation.Limit.OPEN_FILES, 256L), IsolationValues.limit("nofile", "256"));
        assertEquals("mem is not a limit (known: cpu, as, nproc, fsize, nofile)",
                refusal(name -> IsolationValues.limit(name, "1"), "mem"));
        assertEquals("as takes a non-negative number (K, M, G allowed), not '1T'",
                refusal(value -> IsolationValues.limit("as", value), "1T"));
    }

    @Test
    void cgroupLimitsInAnyOrder() {
        assertEquals(new Isolation.CgroupLimits(1L << 30, 64, 50), IsolationValues.cgroup("cpu=50,memory=1G,pids=64"));
        assertEquals(new Isolation.CgroupLimits(0, 10, 0), IsolationValues.cgroup("pids=10"));
        assertEquals("takes memory=BYTES,pids=N,cpu=PERCENT, not 'io=1'",
                refusal(IsolationValues::cgroup, "memory=1G,io=1"));
        assertEquals("takes memory=BYTES,pids=N,cpu=PERCENT, not ''", refusal(IsolationValues::cgroup, ""));
        assertEquals("memory takes a non-negative number (K, M, G allowed), not ''",
                refusal(IsolationValues::cgroup, "memory"));
        assertEquals("pids takes a non-negative number (K, M, G allowed), not 'many'",
                refusal(IsolationValues::cgroup, "pids=many"));
        assertEquals("cpu is a percentage of one CPU: 4294967296", refusal(IsolationValues::cgroup, "cpu=4G"));
    }
}
