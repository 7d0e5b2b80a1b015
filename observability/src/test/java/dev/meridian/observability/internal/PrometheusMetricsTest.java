package dev.meridian.observability.internal;

import static dev.meridian.observability.internal.Traffic.EXECVE;
import static dev.meridian.observability.internal.Traffic.OPENAT;
import static dev.meridian.observability.internal.Traffic.READ;
import static dev.meridian.observability.internal.Traffic.count;
import static dev.meridian.observability.internal.Traffic.sample;
import static dev.meridian.observability.internal.Traffic.scrape;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.meridian.api.BundleManager;
import dev.meridian.api.TrafficListener;
import dev.meridian.api.TrafficTap;
import dev.meridian.api.VerdictAction;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The metrics component fed through a tap by hand: what it counts is what the exposition says. */
class PrometheusMetricsTest {
    private static final long SANDBOX_A = 0x1111L;
    private static final long SANDBOX_B = 0x2222L;
    private static final long SANDBOX_C = 0x3333L;

    private final Traffic.Tap tap = new Traffic.Tap();
    private final Traffic.Call call = new Traffic.Call();
    private PrometheusMetrics metrics;

    @AfterEach
    void deactivate() {
        if (metrics != null) {
            metrics.deactivate();
        }
    }

    private TrafficListener activate(Map<String, Object> configuration) {
        metrics = new PrometheusMetrics();
        metrics.bindShim(new Traffic.Shim());
        metrics.bindTap(tap);
        metrics.activate(configuration);
        return tap.listener;
    }

    @Test
    void countsCallsByNameAndVerdictAndDenialsByRule() throws Exception {
        TrafficListener listener = activate(Map.of());
        Traffic.start(listener, SANDBOX_A);
        for (int i = 0; i < 3; i++) {
            listener.callCompleted(call.set(SANDBOX_A, OPENAT, VerdictAction.ALLOW, "allow-libs", 4_000));
        }
        listener.callCompleted(call.set(SANDBOX_A, OPENAT, VerdictAction.DENY, "deny-secrets", 6_000));
        listener.callCompleted(call.set(SANDBOX_A, OPENAT, VerdictAction.EMULATE, "emulate-open", 30_000));
        listener.callCompleted(call.set(SANDBOX_A, READ, null, null, 1_000));
        listener.callCompleted(call.set(SANDBOX_A, EXECVE, VerdictAction.KILL, "no-exec", 2_000));
        listener.callCompleted(call.set(SANDBOX_A, 999, VerdictAction.DENY, null, 2_000));
        Traffic.exit(listener, SANDBOX_A);

        String text = scrape(metrics, null);
        assertEquals(3.0, sample(text, "meridian_syscalls_total{syscall=\"openat\",verdict=\"allow\"}"), text);
        assertEquals(1.0, sample(text, "meridian_syscalls_total{syscall=\"openat\",verdict=\"deny\"}"), text);
        assertEquals(1.0, sample(text, "meridian_syscalls_total{syscall=\"openat\",verdict=\"emulate\"}"), text);
        assertEquals(1.0, sample(text, "meridian_syscalls_total{syscall=\"read\",verdict=\"none\"}"), text);
        assertEquals(1.0, sample(text, "meridian_syscalls_total{syscall=\"execve\",verdict=\"kill\"}"), text);
        assertEquals(1.0, sample(text, "meridian_syscalls_total{syscall=\"unknown\",verdict=\"deny\"}"), text);
        assertEquals(6, count(text, "meridian_syscalls_total"), text);

        assertEquals(1.0, sample(text, "meridian_policy_denials_total{rule=\"deny-secrets\"}"), text);
        assertEquals(1.0, sample(text, "meridian_policy_denials_total{rule=\"no-exec\"}"), text);
        assertEquals(1.0, sample(text, "meridian_policy_denials_total{rule=\"none\"}"), text);
        assertEquals(3, count(text, "meridian_policy_denials_total"), text);

        assertEquals(8.0, sample(text, "meridian_syscall_duration_seconds_count"), text);
        assertEquals(53e-6, sample(text, "meridian_syscall_duration_seconds_sum"), 1e-12, text);
        // Every call but the 6 µs and 30 µs ones took 5 µs or less.
        assertEquals(6.0, sample(text, "meridian_syscall_duration_seconds_bucket{le=\"5.0E-6\"}"), text);
        assertEquals(8.0, sample(text, "meridian_syscall_duration_seconds_bucket{le=\"+Inf\"}"), text);
        assertEquals(1.0, sample(text, "meridian_sandboxes_started_total"), text);
    }

    @Test
    void sandboxStatesComeFromTheTapWhileNoManagerRuns() throws Exception {
        TrafficListener listener = activate(Map.of());
        Traffic.start(listener, SANDBOX_A);
        Traffic.start(listener, SANDBOX_B);
        Traffic.exit(listener, SANDBOX_A);
        String text = scrape(metrics, null);
        assertEquals(1.0, sample(text, "meridian_sandboxes{state=\"running\"}"), text);
        assertEquals(1.0, sample(text, "meridian_sandboxes{state=\"exited\"}"), text);
        assertEquals(0.0, sample(text, "meridian_sandboxes{state=\"killed\"}"), text);
        assertEquals(0.0, sample(text, "meridian_sandboxes{state=\"created\"}"), text);
        assertEquals(2.0, sample(text, "meridian_sandboxes_started_total"), text);
    }

    @Test
    void busFamiliesAreTheTapsStatusAtScrapeTime() throws Exception {
        activate(Map.of());
        tap.status = new TrafficTap.Status(1234, 0, 7, 0.25, 65536, 2);
        String text = scrape(metrics, null);
        assertEquals(1234.0, sample(text, "meridian_bus_events_total"), text);
        assertEquals(0.0, sample(text, "meridian_bus_events_lost_total"), text);
        assertEquals(7.0, sample(text, "meridian_bus_lag_events"), text);
        assertEquals(0.25, sample(text, "meridian_bus_lag_seconds"), text);
        assertEquals(65536.0, sample(text, "meridian_journal_size_bytes"), text);

        tap.status = new TrafficTap.Status(2000, 3, 0, 0, 70000, 2);
        text = scrape(metrics, null);
        assertEquals(2000.0, sample(text, "meridian_bus_events_total"), text);
        assertEquals(3.0, sample(text, "meridian_bus_events_lost_total"), text);

        metrics.unbindTap(tap);
        text = scrape(metrics, null);
        assertNull(sample(text, "meridian_bus_events_total"), "no tap, no bus samples:\n" + text);
    }

    @Test
    void followsATapReplacedWhileActive() throws Exception {
        TrafficListener first = activate(Map.of());
        first.callCompleted(call.set(SANDBOX_A, READ, VerdictAction.ALLOW, null, 1_000));
        Traffic.Tap second = new Traffic.Tap();
        metrics.bindTap(second);
        metrics.unbindTap(tap);
        assertNull(tap.listener, "the old tap's subscription is closed");
        second.listener.callCompleted(call.set(SANDBOX_A, READ, VerdictAction.ALLOW, null, 1_000));
        assertEquals(2.0, sample(scrape(metrics, null), "meridian_syscalls_total{syscall=\"read\",verdict=\"allow\"}"));
    }

    @Test
    void rulesBeyondTheBoundCountAsOther() throws Exception {
        TrafficListener listener = activate(Map.of(MetricsSettings.MAX_RULES, "2"));
        for (String rule : new String[] {"r1", "r2", "r3", "r4", "r1", "r4"}) {
            listener.callCompleted(call.set(SANDBOX_A, OPENAT, VerdictAction.DENY, rule, 1_000));
        }
        String text = scrape(metrics, null);
        assertEquals(2.0, sample(text, "meridian_policy_denials_total{rule=\"r1\"}"), text);
        assertEquals(1.0, sample(text, "meridian_policy_denials_total{rule=\"r2\"}"), text);
        assertEquals(3.0, sample(text, "meridian_policy_denials_total{rule=\"other\"}"), text);
        assertEquals(3, count(text, "meridian_policy_denials_total"), text);
    }

    @Test
    void perSandboxSeriesAreOffByDefault() throws Exception {
        TrafficListener listener = activate(Map.of());
        Traffic.start(listener, SANDBOX_A);
        listener.callCompleted(call.set(SANDBOX_A, READ, VerdictAction.ALLOW, null, 1_000));
        String text = scrape(metrics, null);
        assertTrue(!text.contains("sandbox=\""), text);
    }

    @Test
    void perSandboxSeriesAreBoundedAndAFinishedSandboxGivesUpItsPlace() throws Exception {
        TrafficListener listener = activate(Map.of(MetricsSettings.PER_SANDBOX, "true",
                MetricsSettings.MAX_SANDBOXES, "2"));
        Traffic.start(listener, SANDBOX_A);
        Traffic.start(listener, SANDBOX_B);
        Traffic.start(listener, SANDBOX_C);
        for (long sandbox : new long[] {SANDBOX_A, SANDBOX_B, SANDBOX_C, SANDBOX_C}) {
            listener.callCompleted(call.set(sandbox, READ, VerdictAction.ALLOW, null, 1_000));
        }
        String text = scrape(metrics, null);
        String a = "0000000000001111";
        String b = "0000000000002222";
        assertEquals(1.0, sample(text, "meridian_syscalls_total{sandbox=\"" + a
                + "\",syscall=\"read\",verdict=\"allow\"}"), text);
        assertEquals(1.0, sample(text, "meridian_syscalls_total{sandbox=\"" + b
                + "\",syscall=\"read\",verdict=\"allow\"}"), text);
        assertEquals(2.0, sample(text, "meridian_syscalls_total{sandbox=\"other\",syscall=\"read\",verdict=\"allow\"}"),
                text);
        assertEquals(1.0, sample(text, "meridian_syscall_duration_seconds_count{sandbox=\"" + a + "\"}"), text);
        assertEquals(2.0, sample(text, "meridian_syscall_duration_seconds_count{sandbox=\"other\"}"), text);

        // A ends; its series stay until a new sandbox needs the place.
        Traffic.exit(listener, SANDBOX_A);
        assertEquals(1.0, sample(scrape(metrics, null), "meridian_syscall_duration_seconds_count{sandbox=\"" + a
                + "\"}"));
        long d = 0x4444L;
        Traffic.start(listener, d);
        listener.callCompleted(call.set(d, OPENAT, VerdictAction.ALLOW, null, 1_000));
        text = scrape(metrics, null);
        assertNull(sample(text, "meridian_syscall_duration_seconds_count{sandbox=\"" + a + "\"}"), text);
        assertEquals(1.0, sample(text, "meridian_syscalls_total{sandbox=\"0000000000004444\",syscall=\"openat\","
                + "verdict=\"allow\"}"), text);
    }

    @Test
    void negotiatesOpenMetricsOrTheTextFormat() throws Exception {
        TrafficListener listener = activate(Map.of());
        listener.callCompleted(call.set(SANDBOX_A, READ, VerdictAction.ALLOW, null, 1_000));
        String prometheusAccept = "application/openmetrics-text;version=1.0.0;q=0.5,"
                + "text/plain;version=0.0.4;q=0.4,*/*;q=0.1";
        assertEquals("application/openmetrics-text; version=1.0.0; charset=utf-8", metrics.contentType(prometheusAccept));
        assertEquals("text/plain; version=0.0.4; charset=utf-8", metrics.contentType(null));
        assertEquals("text/plain; version=0.0.4; charset=utf-8", metrics.contentType("text/plain"));
        assertEquals("text/plain; version=0.0.4; charset=utf-8", metrics.contentType("*/*"));

        String openMetrics = scrape(metrics, prometheusAccept);
        assertTrue(openMetrics.endsWith("# EOF\n"), openMetrics);
        assertTrue(openMetrics.contains("# TYPE meridian_syscalls counter\n"), openMetrics);
        assertEquals(1.0, sample(openMetrics, "meridian_syscalls_total{syscall=\"read\",verdict=\"allow\"}"));
        String text = scrape(metrics, null);
        assertTrue(text.contains("# TYPE meridian_syscalls_total counter\n"), text);
        assertTrue(!text.contains("# EOF"), text);
    }

    @Test
    void jvmAndProcessMetricsAreExposed() throws Exception {
        activate(Map.of());
        String text = scrape(metrics, null);
        assertTrue(count(text, "jvm_threads_current") == 1, text);
        assertTrue(count(text, "jvm_memory_used_bytes") > 0, text);
        assertTrue(count(text, "process_cpu_seconds_total") == 1, text);
    }

    @Test
    void bundleSwapsCountByBundleAndOutcomeWithStallTimes() throws Exception {
        activate(Map.of(MetricsSettings.MAX_BUNDLES, "2"));
        metrics.deployed("dev.meridian.bus", BundleManager.Action.UPDATED, 2_000_000);
        metrics.deployed("dev.meridian.bus", BundleManager.Action.UNCHANGED, 0);
        metrics.deployed("org.example.extra", BundleManager.Action.INSTALLED, 0);
        metrics.rejected("org.example.broken", "does not resolve");
        String text = scrape(metrics, null);
        assertEquals(1.0, sample(text, "meridian_bundle_swaps_total{bundle=\"dev.meridian.bus\",outcome=\"updated\"}"),
                text);
        assertEquals(1.0, sample(text,
                "meridian_bundle_swaps_total{bundle=\"dev.meridian.bus\",outcome=\"unchanged\"}"), text);
        assertEquals(1.0, sample(text,
                "meridian_bundle_swaps_total{bundle=\"org.example.extra\",outcome=\"installed\"}"), text);
        assertEquals(1.0, sample(text, "meridian_bundle_swaps_total{bundle=\"other\",outcome=\"rejected\"}"), text);
        assertEquals(1.0, sample(text, "meridian_bundle_swap_stall_seconds_count{bundle=\"dev.meridian.bus\"}"), text);
        assertEquals(0.002, sample(text, "meridian_bundle_swap_stall_seconds_sum{bundle=\"dev.meridian.bus\"}"), 1e-12);
        assertEquals(1, count(text, "meridian_bundle_swap_stall_seconds_count"), text);
    }

    @Test
    void aBadConfigurationIsRefusedNamingTheKey() {
        Map<String, Object> typo = new HashMap<>();
        typo.put("metrics.per.sandboxes", "true");
        assertEquals("dev.meridian.observability: unknown key metrics.per.sandboxes (known: metrics.max.rules, "
                + "metrics.per.sandbox, metrics.max.sandboxes, metrics.max.bundles)",
                assertThrows(IllegalArgumentException.class, () -> MetricsSettings.from(typo)).getMessage());
        assertEquals("dev.meridian.observability: metrics.max.rules takes a whole number from 1 to 10000, not 'many'",
                assertThrows(IllegalArgumentException.class,
                        () -> MetricsSettings.from(Map.of(MetricsSettings.MAX_RULES, "many"))).getMessage());
        assertEquals("dev.meridian.observability: metrics.max.sandboxes takes a whole number from 1 to 10000, not '0'",
                assertThrows(IllegalArgumentException.class,
                        () -> MetricsSettings.from(Map.of(MetricsSettings.MAX_SANDBOXES, 0))).getMessage());
        assertEquals("dev.meridian.observability: metrics.per.sandbox takes true or false, not 'yes'",
                assertThrows(IllegalArgumentException.class,
                        () -> MetricsSettings.from(Map.of(MetricsSettings.PER_SANDBOX, "yes"))).getMessage());
        assertThrows(IllegalArgumentException.class, () -> new PrometheusMetrics().activate(
                Map.of(MetricsSettings.MAX_BUNDLES, "100000")));
        // Config Admin's own properties are no business of ours.
        assertEquals(MetricsSettings.DEFAULTS, MetricsSettings.from(Map.of("service.pid", MetricsSettings.PID,
                "felix.fileinstall.filename", "file:/etc/x.cfg", "component.name", "x")));
        assertEquals(new MetricsSettings(5, true, 7, 9), MetricsSettings.from(Map.of(MetricsSettings.MAX_RULES, " 5 ",
                MetricsSettings.PER_SANDBOX, "TRUE", MetricsSettings.MAX_SANDBOXES, 7, MetricsSettings.MAX_BUNDLES, "9")));
    }
}
