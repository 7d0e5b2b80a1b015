package dev.meridian.platform.linux.internal;

import dev.meridian.api.PolicySource;
import dev.meridian.api.Isolation;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.meridian.api.SandboxException;
import dev.meridian.api.SandboxSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GuestCommandTest {

    @TempDir
    Path directory;

    private SandboxSpec spec(Map<String, String> environment, String... command) {
        return new SandboxSpec(List.of(command), environment, directory, List.of(PolicySource.profile("trace")), Isolation.DEFAULT, directory.resolve("journal"));
    }

    @Test
    void searchesTheGuestsPath() throws SandboxException {
        assertEquals(Path.of("/bin/sh"), GuestCommand.resolveProgram(spec(Map.of("PATH", "/nowhere:/bin"), "sh")));
        // Without PATH, execvp searches /bin:/usr/bin.
        assertEquals(Path.of("/bin/true"), GuestCommand.resolveProgram(spec(Map.of(), "true")));
    }

    @Test
    void namesMissingPrograms() {
        SandboxException e = assertThrows(SandboxException.class,
                () -> GuestCommand.resolveProgram(spec(Map.of("PATH", "/bin"), "no-such-program-here")));
        assertEquals("no such program: no-such-program-here", e.getMessage());
        assertEquals(SandboxException.Kind.PROGRAM_NOT_FOUND, e.kind());
        e = assertThrows(SandboxException.class,
                () -> GuestCommand.resolveProgram(spec(Map.of(), "./missing")));
        assertEquals("no such program: ./missing", e.getMessage());
    }

    @Test
    void namesFilesThatCannotBeExecuted() throws IOException {
        SandboxException e = assertThrows(SandboxException.class,
                () -> GuestCommand.resolveProgram(spec(Map.of(), "/etc/passwd")));
        assertEquals("not executable: /etc/passwd", e.getMessage());
        assertEquals(SandboxException.Kind.PROGRAM_NOT_EXECUTABLE, e.kind());
        e = assertThrows(SandboxException.class, () -> GuestCommand.resolveProgram(spec(Map.of(), "/tmp")));
        assertEquals("not executable: /tmp is a directory", e.getMessage());

        Path script = Files.createFile(directory.resolve("script"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-r--r--")));
        e = assertThrows(SandboxException.class,
                () -> GuestCommand.resolveProgram(spec(Map.of("PATH", directory.toString()), "script")));
        assertEquals("not executable: " + script, e.getMessage());
    }

    @Test
    void relativeProgramsAndPathEntriesResolveInTheWorkingDirectory() throws IOException, SandboxException {
        Path tool = Files.createDirectories(directory.resolve("bin")).resolve("tool");
        Files.createFile(tool, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        assertEquals(tool, GuestCommand.resolveProgram(spec(Map.of(), "bin/tool")));
        assertEquals(tool, GuestCommand.resolveProgram(spec(Map.of("PATH", "bin"), "tool")));
    }

    @Test
    void refusesWhatExecveCannotCarry() {
        assertThrows(SandboxException.class, () -> GuestCommand.checkEnvironment(Map.of("A=B", "c")));
        assertThrows(SandboxException.class, () -> GuestCommand.checkEnvironment(Map.of("A", "b\0c")));
        assertThrows(SandboxException.class, () -> GuestCommand.checkArguments(spec(Map.of(), "true", "a\0b")));
    }
}
