package dev.meridian.platform.linux.internal;

import dev.meridian.api.SandboxException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * What one sandbox's isolation made on the host and removes at its end: the directory of its
 * rootfs overlay ({@code upper/} takes the guest's writes, {@code work/} is overlay's,
 * {@code root/} the mount point) and its cgroup. With keepWrites the upper layer stays, and its
 * path is written on the supervisor's standard error.
 */
final class SandboxResources {

    private static final System.Logger LOG = System.getLogger(SandboxResources.class.getName());

    private final IsolationPlan plan;
    private Path sandboxDirectory;
    private Path cgroup;

    private SandboxResources(IsolationPlan plan) {
        this.plan = plan;
    }

    /** @param sandbox the sandbox's id as the journal names it */
    static SandboxResources create(IsolationPlan plan, Path runtimeBase, String sandbox) throws SandboxException {
        SandboxResources resources = new SandboxResources(plan);
        try {
            if (plan.lowerDirectory() != null) {
                resources.sandboxDirectory = Files.createTempDirectory(runtimeBase, "meridian-sandbox-" + sandbox + "-",
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
                for (String layer : new String[] {"upper", "work", "root"}) {
                    Files.createDirectory(resources.sandboxDirectory.resolve(layer));
                }
            }
            if (plan.isolation().cgroup() != null) {
                resources.cgroup = Cgroups.create(plan.isolation().cgroup(), sandbox);
            }
            return resources;
        } catch (IOException e) {
            resources.release();
            throw new SandboxException("cannot prepare the sandbox's directory in " + runtimeBase + ": "
                    + e.getMessage(), e);
        } catch (SandboxException e) {
            resources.release();
            throw e;
        }
    }

    /** The helper's isolation section. */
    byte[] section(Path workingDirectory) {
        return plan.section(workingDirectory, sandboxDirectory, cgroup);
    }

    /** The sandbox's cgroup, or null without one (or once released). */
    Path cgroup() {
        return cgroup;
    }

    /** The directory the guest's rootfs writes land in, or null without rootfs. */
    Path writableLayer() {
        return sandboxDirectory == null ? null : sandboxDirectory.resolve("upper");
    }

    /** Once the helper has exited (so no task of the sandbox is left), removes what was made. */
    void release() {
        if (cgroup != null) {
            Cgroups.remove(cgroup);
            cgroup = null;
        }
        if (sandboxDirectory == null) {
            return;
        }
        try {
            if (plan.isolation().keepWrites()) {
                FileTrees.delete(sandboxDirectory.resolve("work"));
                FileTrees.delete(sandboxDirectory.resolve("root"));
                System.err.println("meridian: the sandbox's writes to its rootfs are kept in " + writableLayer());
            } else {
                FileTrees.delete(sandboxDirectory);
            }
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot remove sandbox directory " + sandboxDirectory + ": " + e);
        }
        sandboxDirectory = null;
    }
}
