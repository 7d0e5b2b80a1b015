package dev.meridian.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SystemPackagesTest {
    @TempDir
    Path temp;

    @Test
    void readsVersionsFromAnExportPackageHeader() {
        String header = "net.openhft.chronicle.queue;version=\"2026.1.0\";uses:=\"net.openhft.a,net.openhft.b\","
                + "net.openhft.x;net.openhft.y;version=2.0,org.plain";
        assertEquals(Map.of("net.openhft.chronicle.queue", List.of("2026.1.0"), "net.openhft.x", List.of("2.0"),
                "net.openhft.y", List.of("2.0"), "org.plain", List.of("")), SystemPackages.declaredVersions(header));
    }

    @Test
    void keepsEveryVersionOfAPackageExportedTwice() throws IOException {
        // As slf4j-api 2.0.17 declares it.
        Path jar = temp.resolve("slf4j-api.jar");
        TestBundles.writeBundle(jar, Map.of("Export-Package", "org.slf4j;uses:=\"org.slf4j.spi\";version=\"2.0.17\","
                + "org.slf4j.spi;version=\"2.0.17\",org.slf4j;version=\"1.7.36\""), Map.of(
                "org/slf4j/Logger.class", new byte[0], "org/slf4j/spi/SLF4JServiceProvider.class", new byte[0]));

        assertEquals("org.slf4j;version=\"2.0.17\",org.slf4j;version=\"1.7.36\",org.slf4j.spi;version=\"2.0.17\"",
                SystemPackages.scan(List.of(jar)));
    }

    @Test
    void exportsEveryPackageWithAClassUsingTheDeclaredVersions() throws IOException {
        Path jar = temp.resolve("lib.jar");
        TestBundles.writeBundle(jar, Map.of("Export-Package", "org.lib;version=\"1.2.0\""), Map.of(
                "org/lib/A.class", new byte[0],
                "org/lib/internal/B.class", new byte[0],
                "org/lib/resources/readme.txt", new byte[0],
                "META-INF/versions/21/org/lib/A.class", new byte[0],
                "module-info.class", new byte[0]));

        assertEquals("org.lib;version=\"1.2.0\",org.lib.internal", SystemPackages.scan(List.of(jar)));
    }

    @Test
    void reusesTheCachedListUntilAJarChanges() throws IOException {
        Path jar = temp.resolve("lib.jar");
        TestBundles.writeBundle(jar, Map.of(), Map.of("org/lib/A.class", new byte[0]));
        Path storage = temp.resolve("storage");
        assertEquals("org.lib", SystemPackages.exports(List.of(jar), storage));

        // Proof that the second call reads the cache: it returns what the cache says.
        Path cache = storage.resolve(SystemPackages.CACHE_FILE);
        Files.writeString(cache, Files.readAllLines(cache).getFirst() + "\norg.cached\n");
        assertEquals("org.cached", SystemPackages.exports(List.of(jar), storage));

        Files.setLastModifiedTime(jar, FileTime.fromMillis(Files.getLastModifiedTime(jar).toMillis() + 2000));
        assertEquals("org.lib", SystemPackages.exports(List.of(jar), storage));
    }
}
