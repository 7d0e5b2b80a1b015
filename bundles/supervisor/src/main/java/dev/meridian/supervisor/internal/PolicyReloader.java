package dev.meridian.supervisor.internal;

import dev.meridian.api.PolicySource;
import dev.meridian.api.SandboxIds;
import dev.meridian.api.SandboxSpec;
import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies changed policy files to the sandboxes running under them. The files a sandbox named
 * ({@code --policy}) are watched; when one changes, the sandbox loads its whole composition again
 * ({@link ManagedSandbox#reloadPolicy}): if it loads, its supervisor rules judge the sandbox's
 * next notified call. The kernel layers (seccomp filter, Landlock) a guest installed at start
 * cannot be loosened or replaced from outside, so they stay as they were: a reload that changes
 * them takes effect for new sandboxes, and says so. A file that no longer loads leaves the
 * previous policy in force. Files pulled in by {@code extends} are not watched; touch the file
 * that names them.
 */
final class PolicyReloader implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(PolicyReloader.class);
    /** Editors write a file in several steps: wait this long after a change before loading. */
    private static final long SETTLE_MILLIS = 100;

    private record Watched(ManagedSandbox sandbox, Set<Path> files) {
    }

    private final Map<Long, Watched> sandboxes = new ConcurrentHashMap<>();
    private final Map<Path, WatchKey> directories = new ConcurrentHashMap<>();
    private WatchService watcher;
    private Thread thread;
    private boolean closed;

    /** Watches the policy files of a started sandbox, if it names any. */
    synchronized void watch(ManagedSandbox sandbox) {
        Set<Path> files = policyFiles(sandbox.spec());
        if (files.isEmpty() || closed) {
            return;
        }
        try {
            startWatcher();
            for (Path file : files) {
                Path directory = file.getParent();
                if (!directories.containsKey(directory)) {
                    directories.put(directory, directory.register(watcher, StandardWatchEventKinds.ENTRY_CREATE,
                            StandardWatchEventKinds.ENTRY_MODIFY, StandardWatchEventKinds.ENTRY_DELETE));
                }
            }
        } catch (IOException e) {
            LOG.error("sandbox {}: its policy files cannot be watched, so changes to them will not reach it: {}",
                    sandbox.displayId(), e.toString());
            return;
        }
        sandboxes.put(sandbox.id(), new Watched(sandbox, files));
    }

    void forget(long sandboxId) {
        sandboxes.remove(sandboxId);
    }

    @Override
    public synchronized void close() {
        closed = true;
        sandboxes.clear();
        if (watcher != null) {
            try {
                watcher.close();
            } catch (IOException e) {
                LOG.warn("closing the policy watcher failed: {}", e.toString());
            }
            thread.interrupt();
        }
    }

    private static Set<Path> policyFiles(SandboxSpec spec) {
        Set<Path> files = new HashSet<>();
        for (PolicySource source : spec.policies()) {
            if (source.file() != null) {
                files.add(source.file().toAbsolutePath().normalize());
            }
        }
        return files;
    }

    private void startWatcher() throws IOException {
        if (watcher != null) {
            return;
        }
        watcher = FileSystems.getDefault().newWatchService();
        thread = new Thread(this::watchLoop, "meridian-policy-reload");
        thread.setDaemon(true);
        thread.start();
    }

    private void watchLoop() {
        try {
            while (true) {
                WatchKey key = watcher.take();
                Set<Path> changed = new HashSet<>();
                collect(key, changed);
                Thread.sleep(SETTLE_MILLIS);
                for (WatchKey more; (more = watcher.poll(0, TimeUnit.MILLISECONDS)) != null; ) {
                    collect(more, changed);
                }
                sandboxes.forEach((id, watched) -> {
                    if (watched.files().stream().anyMatch(changed::contains)) {
                        reload(watched.sandbox());
                    }
                });
            }
        } catch (InterruptedException | ClosedWatchServiceException stopped) {
            // closed
        }
    }

    private static void reload(ManagedSandbox sandbox) {
        try {
            sandbox.reloadPolicy("its policy file changed");
        } catch (RuntimeException e) {
            LOG.error("sandbox {}: reloading its policy failed, the previous one stays in force",
                    SandboxIds.format(sandbox.id()), e);
        }
    }

    private static void collect(WatchKey key, Set<Path> changed) {
        Path directory = (Path) key.watchable();
        for (WatchEvent<?> event : key.pollEvents()) {
            if (event.context() instanceof Path name) {
                changed.add(directory.resolve(name).toAbsolutePath().normalize());
            }
        }
        key.reset();
    }
}
