package dev.meridian.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FrameworkStorageTest {
    @TempDir
    Path temp;

    @Test
    void keepsTheCacheInAWritableHome() {
        Path home = temp.resolve("home");
        assertEquals(home.resolve("var/felix-cache"), FrameworkStorage.base(home, Map.of()));
    }

    @Test
    void fallsBackToTheUserCacheWhenTheHomeCannotHoldIt() throws IOException {
        Path home = Files.createDirectories(temp.resolve("home"));
        Files.writeString(home.resolve("var"), "not a directory"); // what root sees of a read-only home

        Path base = FrameworkStorage.base(home, Map.of("XDG_CACHE_HOME", temp.resolve("xdg").toString()));
        assertEquals(temp.resolve("xdg/meridian"), base.getParent());
        assertTrue(base.getFileName().toString().matches("felix-[0-9a-f]+"), base.toString());

        Path withoutXdg = FrameworkStorage.base(home, Map.of("HOME", temp.resolve("user").toString(),
                "XDG_CACHE_HOME", "relative/ignored"));
        assertEquals(temp.resolve("user/.cache/meridian").resolve(base.getFileName()), withoutXdg);
    }

    @Test
    void concurrentRunsGetTheirOwnCacheAndLaterRunsReuseIt() throws IOException, LaunchException {
        Path base = temp.resolve("var/felix-cache");
        try (FrameworkStorage first = FrameworkStorage.acquire(base)) {
            assertEquals(base, first.directory());
            try (FrameworkStorage second = FrameworkStorage.acquire(base)) {
                assertEquals(temp.resolve("var/felix-cache.1"), second.directory());
            }
        }
        try (FrameworkStorage again = FrameworkStorage.acquire(base)) {
            assertEquals(base, again.directory());
        }
    }
}
