package dev.meridian.launcher;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.Manifest;

/**
 * The value of {@code org.osgi.framework.system.packages.extra}: every package of the libraries on the launcher's
 * classpath (Chronicle and its dependencies, SLF4J, the OSGi log API), so bundles import them from the system bundle.
 * Chronicle's jars do not resolve as bundles; that is why they sit on the classpath. A package gets the version its
 * jar's own Export-Package header declares, because bundles built with bnd import Chronicle with version ranges.
 *
 * <p>Scanning the jars costs ~70 ms, so the result is kept in the framework storage and reused while every jar keeps
 * its path, size and modification time.
 */
final class SystemPackages {
    static final String CACHE_FILE = "meridian-system-packages.txt";

    private SystemPackages() {
    }

    /** The export list for {@code libraries}, from the cache in {@code storage} when it still matches them. */
    static String exports(List<Path> libraries, Path storage) throws IOException {
        // The launcher's own jar counts too: a new launcher may scan differently.
        List<Path> inputs = new ArrayList<>(libraries);
        inputs.add(launcherCode());
        String fingerprint = fingerprint(inputs);
        Path cache = storage.resolve(CACHE_FILE);
        if (Files.isRegularFile(cache)) {
            List<String> lines = Files.readAllLines(cache, StandardCharsets.UTF_8);
            if (lines.size() == 2 && lines.get(0).equals(fingerprint)) {
                return lines.get(1);
            }
        }
        String exports = scan(libraries);
        Files.createDirectories(storage);
        Path partial = storage.resolve(CACHE_FILE + ".tmp");
        Files.writeString(partial, fingerprint + "\n" + exports + "\n", StandardCharsets.UTF_8);
        Files.move(partial, cache, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return exports;
    }

    /** Every package holding a class in {@code jars}; when two jars hold one, the first on the classpath wins. */
    static String scan(List<Path> jars) throws IOException {
        Map<String, List<String>> versionsByPackage = new TreeMap<>();
        for (Path jar : jars) {
            try (JarFile file = new JarFile(jar.toFile(), false)) {
                Manifest manifest = file.getManifest();
                Map<String, List<String>> declared = manifest == null ? Map.of()
                        : declaredVersions(manifest.getMainAttributes().getValue("Export-Package"));
                for (Enumeration<JarEntry> entries = file.entries(); entries.hasMoreElements();) {
                    String name = entries.nextElement().getName();
                    int slash = name.lastIndexOf('/');
                    // META-INF holds multi-release copies (META-INF/versions/N/...) of packages listed anyway.
                    if (slash > 0 && name.endsWith(".class") && !name.startsWith("META-INF/")) {
                        String packageName = name.substring(0, slash).replace('/', '.');
                        versionsByPackage.putIfAbsent(packageName, declared.getOrDefault(packageName, List.of("")));
                    }
                }
            } catch (IOException e) {
                throw new IOException("cannot read the library " + jar + ": " + e.getMessage(), e);
            }
        }
        List<String> clauses = new ArrayList<>(versionsByPackage.size());
        versionsByPackage.forEach((packageName, versions) -> {
            for (String version : versions) {
                clauses.add(version.isEmpty() ? packageName : packageName + ";version=\"" + version + "\"");
            }
        });
        return String.join(",", clauses);
    }

    /**
     * Package to versions from an OSGi Export-Package header. Clauses are separated by commas, a clause is
     * {@code pkg1;pkg2;version="1.2";uses:="a,b"}, and quoted values may hold commas and semicolons. A package may be
     * exported at several versions: slf4j-api 2 exports org.slf4j as 2.0.17 and, for old importers, as 1.7.36.
     */
    static Map<String, List<String>> declaredVersions(String header) {
        if (header == null || header.isBlank()) {
            return Map.of();
        }
        Map<String, List<String>> versions = new HashMap<>();
        for (String clause : splitOutsideQuotes(header, ',')) {
            List<String> packages = new ArrayList<>();
            String version = "";
            for (String part : splitOutsideQuotes(clause, ';')) {
                int equals = part.indexOf('=');
                if (equals < 0) {
                    packages.add(part.trim());
                } else if (part.substring(0, equals).trim().equals("version")) {
                    version = part.substring(equals + 1).trim().replace("\"", "");
                }
            }
            for (String packageName : packages) {
                versions.computeIfAbsent(packageName, name -> new ArrayList<>()).add(version);
            }
        }
        return versions;
    }

    private static List<String> splitOutsideQuotes(String text, char separator) {
        List<String> parts = new ArrayList<>();
        boolean quoted = false;
        int start = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '"') {
                quoted = !quoted;
            } else if (c == separator && !quoted) {
                parts.add(text.substring(start, i));
                start = i + 1;
            }
        }
        parts.add(text.substring(start));
        return parts;
    }

    private static Path launcherCode() throws IOException {
        try {
            return Path.of(SystemPackages.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IOException("cannot locate the launcher's jar", e);
        }
    }

    /** One line naming each jar with its size and modification time: the scan is redone when any of them changes. */
    private static String fingerprint(List<Path> jars) throws IOException {
        Map<String, String> stamps = new LinkedHashMap<>();
        for (Path jar : jars) {
            stamps.put(jar.toAbsolutePath().toString(), BundleDirectory.stamp(jar));
        }
        return stamps.toString();
    }
}
