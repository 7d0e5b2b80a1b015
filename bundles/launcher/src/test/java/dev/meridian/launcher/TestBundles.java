package dev.meridian.launcher;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

import dev.meridian.launcher.testcli.AnswerCli;

/** Builds the bundles and homes the launcher tests run. */
final class TestBundles {
    private TestBundles() {
    }

    /** A home whose bundles/ holds SCR with what it needs (the jars the distribution ships too). */
    static Path homeWithDeclarativeServices(Path home) throws IOException {
        Path bundles = Files.createDirectories(home.resolve("bundles"));
        for (String runtimeClass : new String[] {"org.apache.felix.scr.impl.Activator",
                "org.osgi.service.component.ComponentContext", "org.osgi.util.promise.Promise",
                "org.osgi.util.function.Function"}) {
            Path jar = jarOf(runtimeClass);
            Files.copy(jar, bundles.resolve(jar.getFileName()), StandardCopyOption.REPLACE_EXISTING);
        }
        return home;
    }

    static Path jarOf(String className) {
        try {
            return Path.of(Class.forName(className).getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (ClassNotFoundException | URISyntaxException e) {
            throw new IllegalStateException("the test classpath lacks " + className, e);
        }
    }

    /** A DS bundle whose component registers {@link AnswerCli} as the Meridian command line. */
    static void writeCliBundle(Path jar, int answer, boolean failOnActivate) throws IOException {
        writeCliBundle(jar, answer, failOnActivate, "");
    }

    /** The same, but the component needs a service of type {@code requiredService} that nobody registers. */
    static void writeCliBundleNeeding(Path jar, String requiredService) throws IOException {
        writeCliBundle(jar, 0, false, "<reference name=\"needed\" interface=\"" + requiredService + "\"/>");
    }

    private static void writeCliBundle(Path jar, int answer, boolean failOnActivate, String reference)
            throws IOException {
        String component = """
                <scr:component xmlns:scr="http://www.osgi.org/xmlns/scr/v1.3.0" name="test.cli" activate="activate">
                  <implementation class="%s"/>
                  <property name="meridian.cli" type="Boolean" value="true"/>
                  <property name="answer" type="Integer" value="%d"/>
                  <property name="fail" type="Boolean" value="%b"/>
                  <service><provide interface="java.util.function.ToIntFunction"/></service>
                  %s
                </scr:component>
                """.formatted(AnswerCli.class.getName(), answer, failOnActivate, reference);
        String classEntry = AnswerCli.class.getName().replace('.', '/') + ".class";
        byte[] classBytes;
        try (InputStream in = AnswerCli.class.getClassLoader().getResourceAsStream(classEntry)) {
            classBytes = in.readAllBytes();
        }
        writeBundle(jar, Map.of("Bundle-SymbolicName", "test.cli", "Service-Component", "OSGI-INF/cli.xml"),
                Map.of(classEntry, classBytes, "OSGI-INF/cli.xml", component.getBytes(StandardCharsets.UTF_8)));
    }

    /** A bundle that imports a package nobody exports. */
    static void writeUnresolvableBundle(Path jar) throws IOException {
        writeBundle(jar, Map.of("Bundle-SymbolicName", "test.broken", "Import-Package", "does.not.exist"), Map.of());
    }

    static void writeBundle(Path jar, Map<String, String> headers, Map<String, byte[]> entries) throws IOException {
        Manifest manifest = new Manifest();
        Attributes main = manifest.getMainAttributes();
        main.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        main.putValue("Bundle-ManifestVersion", "2");
        main.putValue("Bundle-Version", "1.0.0");
        headers.forEach(main::putValue);
        try (OutputStream file = Files.newOutputStream(jar);
                JarOutputStream out = new JarOutputStream(file, manifest)) {
            for (Map.Entry<String, byte[]> entry : entries.entrySet()) {
                out.putNextEntry(new JarEntry(entry.getKey()));
                out.write(entry.getValue());
                out.closeEntry();
            }
        }
    }
}
