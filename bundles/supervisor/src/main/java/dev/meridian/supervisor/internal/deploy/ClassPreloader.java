package dev.meridian.supervisor.internal.deploy;

import java.util.Collection;
import org.osgi.framework.Bundle;
import org.osgi.framework.wiring.BundleRevision;
import org.osgi.framework.wiring.BundleRevisions;
import org.osgi.framework.wiring.BundleWiring;

/**
 * Loads every class of the bundles a swap is about to refresh, while their wirings are still valid.
 *
 * <p>Why: a refresh disposes the old revisions' class loaders (Felix closes their jars), yet objects of the old
 * revision live on where the swap does not reach them: the running sandboxes' supervisor threads of the old linux
 * platform, the policies running gateways were given by the old policy engine, a call still inside the old shim.
 * A class such code touches for the first time after the refresh would fail to load, and the supervisor of that
 * sandbox would fail closed and kill its guest. Classes defined before the refresh stay usable.
 */
final class ClassPreloader {

    private ClassPreloader() {
    }

    /** @return how many classes were loaded (already loaded ones included) */
    static int preload(Collection<Bundle> bundles) {
        int loaded = 0;
        for (Bundle bundle : bundles) {
            BundleRevisions revisions = bundle.adapt(BundleRevisions.class);
            if (revisions == null) {
                continue;
            }
            for (BundleRevision revision : revisions.getRevisions()) {
                BundleWiring wiring = revision.getWiring();
                if (wiring != null && wiring.isInUse() && wiring.getClassLoader() != null) {
                    loaded += preload(wiring);
                }
            }
        }
        return loaded;
    }

    private static int preload(BundleWiring wiring) {
        ClassLoader loader = wiring.getClassLoader();
        Collection<String> resources = wiring.listResources("/", "*.class",
                BundleWiring.LISTRESOURCES_LOCAL | BundleWiring.LISTRESOURCES_RECURSE);
        int loaded = 0;
        for (String resource : resources) {
            if (resource.startsWith("META-INF/") || resource.endsWith("module-info.class")
                    || resource.endsWith("package-info.class")) {
                continue;
            }
            String name = resource.substring(0, resource.length() - ".class".length()).replace('/', '.');
            try {
                loader.loadClass(name);
                loaded++;
            } catch (ClassNotFoundException | LinkageError unusable) {
                // E.g. a class of an optional dependency that is absent: the old code cannot reach it either.
            }
        }
        return loaded;
    }
}
