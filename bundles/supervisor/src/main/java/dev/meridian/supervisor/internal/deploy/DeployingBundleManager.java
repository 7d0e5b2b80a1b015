package dev.meridian.supervisor.internal.deploy;

import dev.meridian.api.BundleInfo;
import dev.meridian.api.BundleManager;
import dev.meridian.api.BundleRejectedException;
import dev.meridian.api.BundleSwapListener;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.jar.JarInputStream;
import java.util.jar.Manifest;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.wiring.BundleRevisions;
import org.osgi.framework.wiring.FrameworkWiring;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;

/**
 * Installs, updates and removes bundles while sandboxes run; the deploy directory ({@link DeployWatcher}) and the
 * control API ({@code PUT /v1/bundles/NAME}) both come here, and an API deploy also leaves its jar in the deploy
 * directory, so the directory always shows what runs.
 *
 * <p>An update keeps the running jar's bytes; if the new one does not resolve or start, the old bytes are put back
 * and started again, and the deploy is rejected naming the cause. Before an update the classes of every bundle the
 * update will refresh are loaded ({@link ClassPreloader}), so code of the old revisions that keeps running (running
 * sandboxes' supervisors, their policies) does not fail on a class it had not needed yet.
 *
 * <p>Active in the daemon only (framework property {@code meridian.deploy}, set by {@code meridian daemon}); in an
 * embedded run the component registers the service but watches nothing. Every deploy, and every rejection, is told to
 * the registered {@link BundleSwapListener}s (the swap metrics). Configuration PID
 * {@code dev.meridian.deploy}: {@code poll.millis} (250), {@code settle.millis} (500).
 */
@Component(service = BundleManager.class, immediate = true, configurationPid = "dev.meridian.deploy",
        configurationPolicy = ConfigurationPolicy.OPTIONAL)
public final class DeployingBundleManager implements BundleManager {

    /** The component's configuration. */
    public @interface Config {
        /** How often the deploy directory is looked at. */
        long poll_millis() default 250;

        /** How long a jar's size and modification time must stay the same before it is deployed. */
        long settle_millis() default 500;
    }

    static final String DEPLOY_PROPERTY = "meridian.deploy";
    /** Where bundles installed by a deploy (not from the installation's bundles/) are located. */
    static final String LOCATION_PREFIX = "meridian-deploy:";
    /** The API's limit for a bundle jar (docs/control-api.md); a bigger file is no bundle of ours. */
    static final long MAX_JAR_BYTES = 64L << 20;
    private static final long REFRESH_TIMEOUT_SECONDS = 60;

    @Reference(service = LoggerFactory.class)
    private Logger log;

    /** The swap listeners' references, not their services: binding must not activate a delayed listener. */
    @Reference(service = BundleSwapListener.class, cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC)
    private final List<ServiceReference<BundleSwapListener>> swapListeners = new CopyOnWriteArrayList<>();

    private BundleContext context;
    private DeployRecords records;
    private Path deployDirectory;
    private DeployWatcher watcher;

    @Activate
    void activate(BundleContext context, Config config) throws IOException {
        this.context = context;
        this.records = new DeployRecords(context.getDataFile("deploy").toPath());
        String directory = context.getProperty(DEPLOY_PROPERTY);
        if (directory != null && !directory.isBlank()) {
            deployDirectory = Path.of(directory);
            watcher = new DeployWatcher(this, deployDirectory, config.poll_millis(), config.settle_millis(), log);
            watcher.start();
        }
    }

    @Modified
    void modified(Config config) {
        if (watcher != null) {
            watcher.timing(config.poll_millis(), config.settle_millis());
        }
    }

    @Deactivate
    void deactivate() {
        if (watcher != null) {
            // Not joined: the watcher may be the thread whose refresh is stopping this bundle.
            watcher.stop();
        }
    }

    @Override
    public List<BundleInfo> list() {
        List<BundleInfo> bundles = new ArrayList<>();
        for (Bundle bundle : context.getBundles()) {
            if (bundle.getBundleId() != 0) {
                bundles.add(info(bundle));
            }
        }
        return bundles;
    }

    @Override
    public Deployed deploy(Path jar) throws BundleRejectedException {
        return deploy(jar, null);
    }

    /**
     * Deploys {@code jar}; {@code deployFile} names it when it is a file of the deploy directory (the watcher),
     * else (the API) the jar is copied into the deploy directory once it runs.
     */
    synchronized Deployed deploy(Path jar, String deployFile) throws BundleRejectedException {
        Identity identity = null;
        try {
            byte[] bytes = read(jar);
            identity = identify(bytes, jar);
            Deployed deployed = deployChecked(bytes, identity, deployFile);
            String symbolicName = identity.symbolicName();
            tellSwapListeners(listener -> listener.deployed(symbolicName, deployed.action(), deployed.swapNanos()));
            return deployed;
        } catch (BundleRejectedException e) {
            log.error("rejected {}: {}", deployFile != null ? deployDirectory.resolve(deployFile) : jar,
                    e.getMessage());
            // A jar that is no bundle is named by its file.
            String name = identity != null ? identity.symbolicName() : String.valueOf(jar.getFileName());
            tellSwapListeners(listener -> listener.rejected(name, e.getMessage()));
            throw e;
        }
    }

    private Deployed deployChecked(byte[] bytes, Identity identity, String deployFile) throws BundleRejectedException {
        String sha256 = sha256(bytes);
        Bundle existing = find(identity.symbolicName());
        Optional<DeployRecords.Entry> recorded = records.of(identity.symbolicName());
        String fileName = deployFile != null ? deployFile
                : recorded.map(DeployRecords.Entry::fileName).filter(name -> !name.isEmpty())
                        .orElse(identity.symbolicName() + ".jar");
        Deployed deployed;
        if (existing != null && recorded.isPresent() && recorded.get().sha256().equals(sha256)
                && recorded.get().bundleModified() == existing.getLastModified()) {
            deployed = new Deployed(info(existing), Action.UNCHANGED, 0);
        } else if (existing == null) {
            deployed = install(bytes, identity);
        } else {
            deployed = update(existing, bytes, identity);
        }
        Bundle running = find(identity.symbolicName());
        try {
            records.put(new DeployRecords.Entry(identity.symbolicName(), sha256, running.getLastModified(),
                    deployDirectory == null ? "" : fileName), bytes);
            if (deployFile == null && deployDirectory != null) {
                copyIntoDeployDirectory(bytes, fileName);
            }
        } catch (IOException e) {
            log.error("deployed {}, but cannot record it (a restarted daemon may deploy it again): {}",
                    identity.symbolicName(), e.toString());
        }
        if (deployed.action() != Action.UNCHANGED) {
            log.info("deployed {} {} ({}{}): services away {} ms", identity.symbolicName(), identity.version(),
                    deployed.action().name().toLowerCase(java.util.Locale.ROOT),
                    deployFile != null ? ", from " + deployDirectory.resolve(deployFile) : ", through the API",
                    String.format(java.util.Locale.ROOT, "%.3f", deployed.swapNanos() / 1e6));
        }
        return deployed;
    }

    @Override
    public synchronized boolean remove(String symbolicName) throws BundleRejectedException {
        Bundle bundle = find(symbolicName);
        if (bundle == null) {
            return false;
        }
        if (!bundle.getLocation().startsWith(LOCATION_PREFIX)) {
            throw new BundleRejectedException(symbolicName + " is one of the installation's own bundles ("
                    + bundle.getLocation() + "): it can be updated but not removed");
        }
        Optional<DeployRecords.Entry> recorded = records.of(symbolicName);
        uninstall(bundle);
        forget(symbolicName);
        recorded.filter(entry -> !entry.fileName().isEmpty() && deployDirectory != null).ifPresent(entry -> {
            try {
                Files.deleteIfExists(deployDirectory.resolve(entry.fileName()));
            } catch (IOException e) {
                log.error("removed {}, but cannot delete {}: {}", symbolicName, entry.fileName(), e.toString());
            }
        });
        log.info("removed {}", symbolicName);
        return true;
    }

    /**
     * The deploy directory's jar {@code fileName} is gone: a bundle it installed is uninstalled, an installation
     * bundle it updated gets its own jar from {@code bundles/} back.
     */
    synchronized void fileRemoved(String fileName) {
        Optional<DeployRecords.Entry> recorded = records.ofFile(fileName);
        // Checked again under the lock: an API deploy records the file a moment before it moves it into place, and
        // a scan that listed the directory in between must not take the new bundle away again.
        if (recorded.isEmpty() || Files.exists(deployDirectory.resolve(fileName))) {
            return;
        }
        String symbolicName = recorded.get().symbolicName();
        Bundle bundle = find(symbolicName);
        try {
            if (bundle == null) {
                forget(symbolicName);
            } else if (bundle.getLocation().startsWith(LOCATION_PREFIX)) {
                uninstall(bundle);
                forget(symbolicName);
                log.info("removed {}: {} was deleted", symbolicName, deployDirectory.resolve(fileName));
            } else {
                byte[] original = readLocation(bundle);
                Deployed restored = update(bundle, original, identify(original, Path.of(bundle.getLocation())));
                forget(symbolicName);
                tellSwapListeners(listener -> listener.deployed(symbolicName, restored.action(), restored.swapNanos()));
                log.info("restored {} from {}: {} was deleted; services away {} ms", symbolicName,
                        bundle.getLocation(), deployDirectory.resolve(fileName),
                        String.format(java.util.Locale.ROOT, "%.3f", restored.swapNanos() / 1e6));
            }
        } catch (BundleRejectedException e) {
            log.error("{} was deleted, but {} stays as it is: {}", fileName, symbolicName, e.getMessage());
        }
    }

    /**
     * Tells the registered {@link BundleSwapListener}s (the whiteboard) of a deploy. Their services are got only for
     * the call: a listener's component is not kept active by the bundle manager. One that throws is logged and
     * skipped.
     */
    private void tellSwapListeners(Consumer<BundleSwapListener> event) {
        for (ServiceReference<BundleSwapListener> reference : swapListeners) {
            BundleSwapListener listener = null;
            try {
                listener = context.getService(reference);
                if (listener != null) {
                    event.accept(listener);
                }
            } catch (RuntimeException e) {
                log.error("a bundle swap listener ({}) failed: {}", listener != null ? listener.getClass().getName()
                        : reference, describe(e));
            } finally {
                if (listener != null) {
                    context.ungetService(reference);
                }
            }
        }
    }

    /** Whether {@code fileName} holds exactly the jar last deployed from it (an API deploy writes it there). */
    boolean isDeployed(String fileName, String sha256) {
        return records.ofFile(fileName).filter(entry -> entry.sha256().equals(sha256)).isPresent();
    }

    /** The deploy files the manager has records of. */
    Collection<String> deployedFiles() {
        return records.all().values().stream().map(DeployRecords.Entry::fileName).filter(name -> !name.isEmpty())
                .toList();
    }

    private Deployed install(byte[] bytes, Identity identity) throws BundleRejectedException {
        Bundle bundle;
        try {
            bundle = context.installBundle(LOCATION_PREFIX + identity.symbolicName(), new ByteArrayInputStream(bytes));
        } catch (BundleException | RuntimeException e) {
            throw new BundleRejectedException(identity + " cannot be installed: " + describe(e), e);
        }
        try {
            bundle.start();
            requireActive(bundle);
        } catch (BundleException | RuntimeException e) {
            String cause = describe(e);
            uninstall(bundle);
            throw new BundleRejectedException(identity + " does not start: " + cause, e);
        }
        return new Deployed(info(bundle), Action.INSTALLED, 0);
    }

    private Deployed update(Bundle bundle, byte[] bytes, Identity identity) throws BundleRejectedException {
        FrameworkWiring wiring = context.getBundle(Constants.SYSTEM_BUNDLE_LOCATION).adapt(FrameworkWiring.class);
        Collection<Bundle> refreshed = wiring.getDependencyClosure(List.of(bundle));
        if (refreshed.contains(context.getBundle())) {
            throw new BundleRejectedException("updating " + identity.symbolicName() + " would restart the bundle "
                    + "manager itself (" + context.getBundle().getSymbolicName() + " depends on it or is it): "
                    + "install the new jar in bundles/ and restart the daemon");
        }
        byte[] previous;
        try {
            previous = records.jar(identity.symbolicName()).orElse(null);
            if (previous == null) {
                previous = readLocation(bundle);
            }
        } catch (IOException | BundleRejectedException e) {
            throw new BundleRejectedException("cannot keep the running " + identity.symbolicName()
                    + " to roll back to, so it is not replaced: " + e.getMessage(), e);
        }
        boolean wasActive = bundle.getState() == Bundle.ACTIVE;
        long preloadStart = System.nanoTime();
        int classes = ClassPreloader.preload(refreshed);
        log.debug("loaded {} classes of {} before the swap in {} ms", classes, refreshed.size(),
                (System.nanoTime() - preloadStart) / 1_000_000);
        long nanos;
        try (ServiceGap gap = ServiceGap.watch(context, bundle.getBundleId())) {
            try {
                bundle.update(new ByteArrayInputStream(bytes));
                refresh(wiring, bundle);
                if (wasActive) {
                    bundle.start(Bundle.START_TRANSIENT);
                    requireActive(bundle);
                }
            } catch (BundleException | RuntimeException e) {
                String cause = describe(e);
                String restored = rollBack(wiring, bundle, previous, wasActive);
                throw new BundleRejectedException(identity + " was not deployed: " + cause + "; " + restored, e);
            }
            nanos = gap.nanos(System.nanoTime());
        }
        return new Deployed(info(bundle), Action.UPDATED, nanos);
    }

    /** Puts the previous jar back; returns what became of it, for the rejection's message. */
    private String rollBack(FrameworkWiring wiring, Bundle bundle, byte[] previous, boolean wasActive) {
        try {
            bundle.update(new ByteArrayInputStream(previous));
            refresh(wiring, bundle);
            if (wasActive) {
                bundle.start(Bundle.START_TRANSIENT);
            }
            return "the previous version was restored and serves";
        } catch (BundleException | RuntimeException e) {
            return "and the previous version could not be restored: " + describe(e);
        }
    }

    /** Refreshes {@code bundle} and what depends on it, if an update left an old revision behind; waits for it. */
    private void refresh(FrameworkWiring wiring, Bundle bundle) throws BundleException {
        BundleRevisions revisions = bundle.adapt(BundleRevisions.class);
        if (revisions == null || revisions.getRevisions().size() <= 1) {
            return; // the framework refreshed it itself: nothing was wired to the old revision
        }
        CountDownLatch done = new CountDownLatch(1);
        Throwable[] failure = new Throwable[1];
        wiring.refreshBundles(List.of(bundle), event -> {
            if (event.getType() == FrameworkEvent.ERROR) {
                failure[0] = event.getThrowable();
            }
            if (event.getType() == FrameworkEvent.PACKAGES_REFRESHED) {
                done.countDown();
            }
        });
        try {
            if (!done.await(REFRESH_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                throw new BundleException("the refresh of " + bundle.getSymbolicName() + " did not finish within "
                        + REFRESH_TIMEOUT_SECONDS + " s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BundleException("interrupted while refreshing " + bundle.getSymbolicName());
        }
        if (failure[0] != null) {
            throw new BundleException("refreshing " + bundle.getSymbolicName() + " failed: " + describe(failure[0]),
                    failure[0]);
        }
    }

    private void requireActive(Bundle bundle) throws BundleException {
        if (bundle.getState() != Bundle.ACTIVE) {
            // start() says why it does not start (the resolver's unresolved requirement, the activator's failure).
            bundle.start(Bundle.START_TRANSIENT);
            if (bundle.getState() != Bundle.ACTIVE) {
                throw new BundleException(bundle.getSymbolicName() + " is " + stateName(bundle.getState())
                        + " after its start");
            }
        }
    }

    private void uninstall(Bundle bundle) {
        try {
            bundle.uninstall();
            FrameworkWiring wiring = context.getBundle(Constants.SYSTEM_BUNDLE_LOCATION).adapt(FrameworkWiring.class);
            if (!wiring.getRemovalPendingBundles().isEmpty() && wiring.getRemovalPendingBundles().contains(bundle)) {
                refresh(wiring, bundle);
            }
        } catch (BundleException | RuntimeException e) {
            log.error("cannot uninstall {}: {}", bundle.getSymbolicName(), describe(e));
        }
    }

    private void forget(String symbolicName) {
        try {
            records.remove(symbolicName);
        } catch (IOException e) {
            log.error("cannot update the deploy records for {}: {}", symbolicName, e.toString());
        }
    }

    private void copyIntoDeployDirectory(byte[] bytes, String fileName) throws IOException {
        // A dot name the watcher ignores, renamed in one step: it never sees a partial jar.
        Path partial = deployDirectory.resolve("." + fileName + ".partial");
        Files.write(partial, bytes);
        Files.move(partial, deployDirectory.resolve(fileName), StandardCopyOption.REPLACE_EXISTING,
                StandardCopyOption.ATOMIC_MOVE);
    }

    private Bundle find(String symbolicName) {
        for (Bundle bundle : context.getBundles()) {
            if (symbolicName.equals(bundle.getSymbolicName()) && bundle.getState() != Bundle.UNINSTALLED) {
                return bundle;
            }
        }
        return null;
    }

    private static byte[] read(Path jar) throws BundleRejectedException {
        try {
            long size = Files.size(jar);
            if (size > MAX_JAR_BYTES) {
                throw new BundleRejectedException(jar + " is " + size + " bytes, more than a bundle may be ("
                        + MAX_JAR_BYTES + ")");
            }
            return Files.readAllBytes(jar);
        } catch (IOException e) {
            throw new BundleRejectedException("cannot read " + jar + ": " + e, e);
        }
    }

    /** The installation's own jar of {@code bundle} (its location is the file in bundles/). */
    private static byte[] readLocation(Bundle bundle) throws BundleRejectedException {
        try {
            return Files.readAllBytes(Path.of(URI.create(bundle.getLocation())));
        } catch (IOException | IllegalArgumentException | java.nio.file.FileSystemNotFoundException e) {
            throw new BundleRejectedException("the jar of " + bundle.getSymbolicName() + " at "
                    + bundle.getLocation() + " cannot be read: " + e, e);
        }
    }

    /** A bundle's name and version, from the manifest of its jar. */
    record Identity(String symbolicName, String version) {
        @Override
        public String toString() {
            return symbolicName + " " + version;
        }
    }

    static Identity identify(byte[] jar, Path source) throws BundleRejectedException {
        Manifest manifest;
        try (JarInputStream in = new JarInputStream(new ByteArrayInputStream(jar))) {
            manifest = in.getManifest();
        } catch (IOException e) {
            throw new BundleRejectedException(source + " is not a bundle: not a jar (" + e.getMessage() + ")", e);
        }
        if (manifest == null) {
            throw new BundleRejectedException(source + " is not a bundle: it has no META-INF/MANIFEST.MF");
        }
        String symbolicName = manifest.getMainAttributes().getValue(Constants.BUNDLE_SYMBOLICNAME);
        if (symbolicName == null || symbolicName.isBlank()) {
            throw new BundleRejectedException(source + " is not a bundle: its manifest has no "
                    + Constants.BUNDLE_SYMBOLICNAME);
        }
        int parameters = symbolicName.indexOf(';');
        String version = manifest.getMainAttributes().getValue(Constants.BUNDLE_VERSION);
        return new Identity((parameters < 0 ? symbolicName : symbolicName.substring(0, parameters)).strip(),
                version == null ? "0.0.0" : version.strip());
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException impossible) {
            throw new IllegalStateException(impossible);
        }
    }

    static String sha256(InputStream in) throws IOException {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[65536];
            for (int read; (read = in.read(buffer)) > 0; ) {
                digest.update(buffer, 0, read);
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException impossible) {
            throw new IllegalStateException(impossible);
        }
    }

    private static BundleInfo info(Bundle bundle) {
        return new BundleInfo(bundle.getBundleId(), bundle.getSymbolicName(), bundle.getVersion().toString(),
                stateName(bundle.getState()), bundle.getLocation(), bundle.getLocation().startsWith(LOCATION_PREFIX));
    }

    static String stateName(int state) {
        return switch (state) {
            case Bundle.INSTALLED -> "INSTALLED";
            case Bundle.RESOLVED -> "RESOLVED";
            case Bundle.STARTING -> "STARTING";
            case Bundle.STOPPING -> "STOPPING";
            case Bundle.ACTIVE -> "ACTIVE";
            default -> "UNINSTALLED";
        };
    }

    /** The failure's message and its root cause: the resolver's missing requirement, the activator's exception. */
    static String describe(Throwable failure) {
        StringBuilder text = new StringBuilder(summary(failure));
        Throwable root = failure;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        if (root != failure) {
            text.append(": ").append(summary(root));
        }
        return text.toString();
    }

    private static String summary(Throwable failure) {
        String message = failure.getMessage();
        String type = failure instanceof BundleException ? "" : failure.getClass().getSimpleName();
        if (message == null || message.isBlank()) {
            return type.isEmpty() ? failure.getClass().getSimpleName() : type;
        }
        return type.isEmpty() ? message : type + ": " + message;
    }
}
