package dev.meridian.bus.internal;

import static dev.meridian.bus.internal.Fixtures.spec;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.meridian.api.JournalException;
import dev.meridian.bus.internal.Fixtures.TestPolicy;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A journal that cannot be opened says where and why, in one line. */
class JournalErrorsTest {

    @TempDir
    Path temp;

    private final ChronicleSyscallBus bus = Fixtures.busWithShim();

    @Test
    void aFileIsNotAJournalDirectory() throws Exception {
        Path file = Files.writeString(temp.resolve("journal"), "not a directory");
        assertEquals("cannot write journal to " + file + ": not a directory", openFails(file));
        assertEquals("cannot write journal to " + file.resolve("sub") + ": Not a directory",
                openFails(file.resolve("sub")));
        assertEquals("no journal in " + file + ": not a directory", readFails(file));
    }

    @Test
    void aDirectoryThatCannotBeCreatedIsRefused() {
        Path impossible = Path.of("/proc/meridian-journal");
        assertEquals("cannot write journal to " + impossible + ": No such file or directory", openFails(impossible));
    }

    @Test
    void aDirectoryThatCannotBeWrittenIsRefusedBeforeChronicleTouchesIt() {
        Path readOnly = Path.of("/sys/kernel"); // sysfs refuses new files, even to root
        assumeTrue(Files.isDirectory(readOnly), "needs sysfs");
        assertEquals("cannot write journal to " + readOnly + ": Permission denied", openFails(readOnly));
        assertEquals(0, bus.openJournals());
    }

    @Test
    void readingNeedsAJournal() throws Exception {
        assertEquals("no journal in " + temp, readFails(temp));
        Path missing = temp.resolve("missing");
        assertEquals("no journal in " + missing + ": no such directory", readFails(missing));
        Files.writeString(temp.resolve("notes.txt"), "hello");
        assertEquals("no journal in " + temp, readFails(temp));
    }

    @Test
    void aFailedOpenLeavesNothingOpen() throws Exception {
        openFails(Path.of("/proc/meridian-journal"));
        bus.open(temp, 1, spec(temp, "x"), new TestPolicy()).close();
        assertEquals(0, bus.openJournals());
    }

    private String openFails(Path directory) {
        return assertThrows(JournalException.class,
                () -> bus.open(directory, 1, spec(directory, "x"), new TestPolicy())).getMessage();
    }

    private String readFails(Path directory) {
        return assertThrows(JournalException.class, () -> bus.reader(directory)).getMessage();
    }
}
