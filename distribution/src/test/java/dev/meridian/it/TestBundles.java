package dev.meridian.it;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarInputStream;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

/** Bundle jars for the daemon ITs: the distribution's own, changed, and small test bundles. */
final class TestBundles {

    static final String SHIM = "dev.meridian.shim.linux.x86_64";
    static final String POLICY_ENGINE = "dev.meridian.policy";
    static final String PLATFORM = "dev.meridian.platform.linux";

    private TestBundles() {
    }

    /** The jar of the distribution's bundle whose symbolic name is {@code symbolicName}. */
    static byte[] installed(String symbolicName) {
        try (DirectoryStream<Path> jars = Files.newDirectoryStream(MeridianHome.home().resolve("bundles"), "*.jar")) {
            for (Path jar : jars) {
                byte[] bytes = Files.readAllBytes(jar);
                if (symbolicName.equals(manifest(bytes).getMainAttributes().getValue("Bundle-SymbolicName")
                        .split(";")[0].strip())) {
                    return bytes;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        throw new AssertionError("no bundle " + symbolicName + " in " + MeridianHome.home().resolve("bundles"));
    }

    /**
     * {@code jar} with {@code headers} set in its manifest and an entry naming {@code variant}: the
     * same bundle, other bytes (a new version to deploy).
     */
    static byte[] variant(byte[] jar, String variant, Map<String, String> headers) {
        try (JarInputStream in = new JarInputStream(new ByteArrayInputStream(jar))) {
            Manifest manifest = new Manifest(in.getManifest());
            headers.forEach((name, value) -> manifest.getMainAttributes().putValue(name, value));
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (JarOutputStream out = new JarOutputStream(bytes, manifest)) {
                for (JarEntry entry; (entry = in.getNextJarEntry()) != null; ) {
                    out.putNextEntry(new JarEntry(entry.getName()));
                    in.transferTo(out);
                    out.closeEntry();
                }
                out.putNextEntry(new JarEntry("META-INF/meridian-it-variant.txt"));
                out.write(variant.getBytes());
                out.closeEntry();
            }
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A bundle {@code symbolicName} whose activator is {@code dev.meridian.it.starter.SandboxStarter}
     * (from the test classes), configured by {@code headers} (see that class).
     */
    static byte[] starter(String symbolicName, Map<String, String> headers) {
        return activated(symbolicName, "dev.meridian.it.starter.SandboxStarter", headers);
    }

    /**
     * A bundle {@code symbolicName} of the test classes of {@code activator}'s package, started by
     * {@code activator}; {@code headers} are added to (or replace) its manifest's.
     */
    static byte[] activated(String symbolicName, String activator, Map<String, String> headers) {
        Manifest manifest = new Manifest();
        Attributes main = manifest.getMainAttributes();
        main.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        main.putValue("Bundle-ManifestVersion", "2");
        main.putValue("Bundle-SymbolicName", symbolicName);
        main.putValue("Bundle-Version", "1.0.0");
        main.putValue("Bundle-Activator", activator);
        main.putValue("Import-Package", "dev.meridian.api,org.osgi.framework");
        headers.forEach(main::putValue);
        String packagePath = activator.substring(0, activator.lastIndexOf('.')).replace('.', '/');
        Path classes = MeridianHome.moduleDirectory().resolve("target/test-classes").resolve(packagePath);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (JarOutputStream out = new JarOutputStream(bytes, manifest);
                DirectoryStream<Path> files = Files.newDirectoryStream(classes, "*.class")) {
            for (Path file : files) {
                out.putNextEntry(new JarEntry(packagePath + "/" + file.getFileName()));
                out.write(Files.readAllBytes(file));
                out.closeEntry();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    static Manifest manifest(byte[] jar) {
        try (JarInputStream in = new JarInputStream(new ByteArrayInputStream(jar))) {
            return in.getManifest();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
