package dev.meridian.supervisor.internal.deploy;

import java.io.IOException;
import java.io.OutputStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * What the bundle manager deployed, kept in its bundle's data area so a restarted daemon knows it too: for each
 * bundle, the SHA-256 of the jar it runs and the bundle's last-modified time right after the deploy (a bundle changed
 * since, e.g. by a new installation, is not "unchanged" any more); the bytes of that jar, to roll back to; and which
 * file of the deploy directory holds it.
 */
final class DeployRecords {

    /** One deployed bundle. */
    record Entry(String symbolicName, String sha256, long bundleModified, String fileName) {
    }

    private final Path directory;
    private final Path index;
    private final Map<String, Entry> bySymbolicName = new HashMap<>();

    DeployRecords(Path directory) throws IOException {
        this.directory = Files.createDirectories(directory);
        this.index = directory.resolve("deployed.properties");
        if (Files.isRegularFile(index)) {
            Properties stored = new Properties();
            try (Reader reader = Files.newBufferedReader(index, StandardCharsets.UTF_8)) {
                stored.load(reader);
            }
            for (String name : stored.stringPropertyNames()) {
                String[] fields = stored.getProperty(name).split(" ", 3);
                if (fields.length == 3) {
                    bySymbolicName.put(name, new Entry(name, fields[0], Long.parseLong(fields[1]), fields[2]));
                }
            }
        }
    }

    synchronized Optional<Entry> of(String symbolicName) {
        return Optional.ofNullable(bySymbolicName.get(symbolicName));
    }

    synchronized Optional<Entry> ofFile(String fileName) {
        return bySymbolicName.values().stream().filter(entry -> entry.fileName().equals(fileName)).findFirst();
    }

    synchronized Map<String, Entry> all() {
        return Map.copyOf(bySymbolicName);
    }

    /** Records a deploy and keeps {@code jar} as the bytes to roll back to. */
    synchronized void put(Entry entry, byte[] jar) throws IOException {
        Path partial = directory.resolve(entry.symbolicName() + ".jar.tmp");
        Files.write(partial, jar);
        Files.move(partial, jarOf(entry.symbolicName()), StandardCopyOption.REPLACE_EXISTING,
                StandardCopyOption.ATOMIC_MOVE);
        bySymbolicName.put(entry.symbolicName(), entry);
        save();
    }

    synchronized void remove(String symbolicName) throws IOException {
        if (bySymbolicName.remove(symbolicName) != null) {
            Files.deleteIfExists(jarOf(symbolicName));
            save();
        }
    }

    /** The jar last deployed for {@code symbolicName}, if it was deployed. */
    synchronized Optional<byte[]> jar(String symbolicName) throws IOException {
        Path jar = jarOf(symbolicName);
        return bySymbolicName.containsKey(symbolicName) && Files.isRegularFile(jar)
                ? Optional.of(Files.readAllBytes(jar)) : Optional.empty();
    }

    private Path jarOf(String symbolicName) {
        return directory.resolve(symbolicName + ".jar");
    }

    private void save() throws IOException {
        Properties stored = new Properties();
        bySymbolicName.forEach((name, entry) -> stored.setProperty(name,
                entry.sha256() + " " + entry.bundleModified() + " " + entry.fileName()));
        Path partial = directory.resolve("deployed.properties.tmp");
        try (OutputStream out = Files.newOutputStream(partial)) {
            stored.store(out, "Meridian bundle manager: sha256 bundle-last-modified deploy-file per bundle");
        }
        Files.move(partial, index, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
