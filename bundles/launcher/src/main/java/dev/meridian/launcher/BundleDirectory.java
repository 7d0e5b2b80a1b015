package dev.meridian.launcher;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;

/**
 * Keeps the framework's bundles in step with {@code $MERIDIAN_HOME/bundles/*.jar}. The bundle cache persists between
 * runs, so a jar is installed once; a jar whose size or modification time changed is updated; a bundle whose jar is
 * gone is uninstalled. Bundles installed from elsewhere (deploy/, the API) are left alone. Sizes and times are
 * remembered in the storage directory, as Felix records only when it installed a bundle.
 */
final class BundleDirectory {
    static final String STATE_FILE = "meridian-bundles.properties";

    private BundleDirectory() {
    }

    /**
     * Installs, updates and uninstalls until the framework holds exactly the jars of {@code directory}.
     *
     * @return the bundles of the directory in jar name order; a jar that cannot be installed or updated is reported
     *         and left out (an old revision is not started in its place)
     */
    static List<Bundle> synchronize(BundleContext context, Path directory, Path storage, Console console)
            throws LaunchException {
        return synchronize(context, List.of(directory), storage, console);
    }

    /**
     * As {@link #synchronize(BundleContext, Path, Path, Console)} for the jars of several directories (the daemon's
     * {@code bundles/} and {@code bundles/daemon/}), in the order given: a directory nested in another counts as its
     * own, so neither uninstalls the other's bundles.
     */
    static List<Bundle> synchronize(BundleContext context, List<Path> directories, Path storage, Console console)
            throws LaunchException {
        List<Path> jars = new ArrayList<>();
        for (Path directory : directories) {
            jars.addAll(jarsIn(directory));
        }
        Path stateFile = storage.resolve(STATE_FILE);
        Properties known = load(stateFile);
        Set<String> locations = new HashSet<>();
        for (Path jar : jars) {
            locations.add(jar.toUri().toString());
        }

        // Uninstall first: a bundle installed from a home since moved (the cache moves with var/) has the same
        // symbolic name and version as its jar at the new location, which could not be installed beside it.
        boolean changed = false;
        List<String> directoryPrefixes = directories.stream().map(directory -> directory.toUri().toString()).toList();
        Map<String, Bundle> installed = new HashMap<>();
        for (Bundle bundle : context.getBundles()) {
            String location = bundle.getLocation();
            if (locations.contains(location)) {
                installed.put(location, bundle);
            } else if (directoryPrefixes.stream().anyMatch(location::startsWith) || known.containsKey(location)) {
                try {
                    bundle.uninstall();
                    console.debug("uninstalled " + location);
                } catch (BundleException e) {
                    console.error("bundle " + location + " cannot be uninstalled", e);
                }
                changed = true;
            }
        }

        Properties current = new Properties();
        List<Bundle> bundles = new ArrayList<>(jars.size());
        for (Path jar : jars) {
            String location = jar.toUri().toString();
            Bundle bundle = installed.get(location);
            try {
                String stamp = stamp(jar);
                if (bundle == null) {
                    try (InputStream content = Files.newInputStream(jar)) {
                        bundle = context.installBundle(location, content);
                    }
                    console.debug("installed " + jar.getFileName());
                    changed = true;
                } else if (!stamp.equals(known.getProperty(location))) {
                    try (InputStream content = Files.newInputStream(jar)) {
                        bundle.update(content);
                    }
                    console.debug("updated " + jar.getFileName());
                    changed = true;
                }
                current.setProperty(location, stamp);
                bundles.add(bundle);
            } catch (BundleException | IOException e) {
                String action = bundle == null ? "installed" : "updated";
                console.error("bundle " + jar.getFileName() + " cannot be " + action, e);
            }
        }
        if (changed) {
            save(current, stateFile);
        }
        return bundles;
    }

    private static List<Path> jarsIn(Path directory) throws LaunchException {
        List<Path> jars = new ArrayList<>();
        if (!Files.isDirectory(directory)) {
            throw new LaunchException("the bundle directory " + directory + " is missing");
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(directory, "*.jar")) {
            entries.forEach(jars::add);
        } catch (IOException e) {
            throw new LaunchException("cannot list the bundles in " + directory, e);
        }
        jars.sort(null);
        return jars;
    }

    /** A jar's change stamp, size and modification time: a changed jar gets a new one. */
    static String stamp(Path jar) throws IOException {
        BasicFileAttributes attributes = Files.readAttributes(jar, BasicFileAttributes.class);
        return attributes.size() + "@" + attributes.lastModifiedTime().toMillis();
    }

    private static Properties load(Path stateFile) throws LaunchException {
        Properties state = new Properties();
        if (Files.isRegularFile(stateFile)) {
            try (Reader reader = Files.newBufferedReader(stateFile, StandardCharsets.UTF_8)) {
                state.load(reader);
            } catch (IOException e) {
                throw new LaunchException("cannot read " + stateFile, e);
            }
        }
        return state;
    }

    private static void save(Properties state, Path stateFile) throws LaunchException {
        Path partial = stateFile.resolveSibling(STATE_FILE + ".tmp");
        try {
            try (OutputStream out = Files.newOutputStream(partial)) {
                state.store(out, "Meridian: size@mtime of each bundle jar as installed");
            }
            Files.move(partial, stateFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new LaunchException("cannot write " + stateFile, e);
        }
    }
}
