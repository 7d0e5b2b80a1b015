package dev.meridian.control.internal;

import dev.meridian.api.BundleManager;
import dev.meridian.api.MetricsExporter;
import dev.meridian.api.NorthShim;
import dev.meridian.api.PolicyEngine;
import dev.meridian.api.SandboxManager;
import dev.meridian.api.SouthPlatform;
import dev.meridian.api.SyscallBus;
import dev.meridian.api.TrafficCounters;
import java.util.List;

/**
 * The services the API serves from, as they are now: each may come and go while the daemon runs (a bundle being
 * replaced), so every request asks again, and a missing one is a 503 naming it.
 */
interface Services {

    SandboxManager sandboxes();

    SyscallBus bus();

    PolicyEngine policies();

    BundleManager bundles();

    List<SouthPlatform> platforms();

    List<NorthShim> shims();

    MetricsExporter metrics();

    TrafficCounters traffic();
}
