package dev.meridian.cli.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CommandLineTest {

    private static CommandLine run(String... args) throws UsageException {
        return CommandLine.parse(List.of(args), Set.of("--trace"), Set.of("--journal"), true);
    }

    @Test
    void programFlagsStayWithTheProgram() throws UsageException {
        CommandLine line = run("--trace", "ls", "-l", "--trace");
        assertTrue(line.has("--trace"));
        assertEquals(List.of("ls", "-l", "--trace"), line.operands());
    }

    @Test
    void doubleDashEndsOptions() throws UsageException {
        CommandLine line = run("--journal=/tmp/j", "--", "--weird-program");
        assertEquals("/tmp/j", line.value("--journal"));
        assertEquals(List.of("--weird-program"), line.operands());
    }

    @Test
    void repeatableOptionsKeepTheirOrderAcrossNames() throws UsageException {
        CommandLine line = CommandLine.parse(
                List.of("--profile", "strict", "--policy=a.yaml", "--profile", "net-client", "prog"),
                Set.of(), Set.of(), Set.of("--profile", "--policy"), true);
        assertEquals(List.of(new CommandLine.Option("--profile", "strict"), new CommandLine.Option("--policy", "a.yaml"),
                new CommandLine.Option("--profile", "net-client")), line.all(Set.of("--profile", "--policy")));
        assertEquals(List.of("strict", "net-client"), line.values("--profile"));
        assertEquals(List.of("prog"), line.operands());
    }

    @Test
    void badInputIsNamed() {
        assertEquals("unknown option: --nope", assertThrows(UsageException.class, () -> run("--nope", "ls")).getMessage());
        assertEquals("option --journal needs a value", assertThrows(UsageException.class, () -> run("--journal")).getMessage());
        assertEquals("option --trace takes no value", assertThrows(UsageException.class, () -> run("--trace=1", "ls")).getMessage());
        assertEquals("option --journal given twice",
                assertThrows(UsageException.class, () -> run("--journal", "a", "--journal", "b", "ls")).getMessage());
    }

    @Test
    void jsonEscapesControlCharacters() {
        String json = new Json().field("text", "a\"b\\c\n\u0001").field("n", 3).nullableField("r", null).end();
        assertEquals("{\"text\":\"a\\\"b\\\\c\\n\\u0001\",\"n\":3,\"r\":null}", json);
    }
}
