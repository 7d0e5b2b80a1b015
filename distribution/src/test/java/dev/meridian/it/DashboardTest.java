package dev.meridian.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The shipped Grafana dashboard against its provisioning and docs/observability.md: every panel on the
 * provisioned data source, every target a query, every metric a query names a documented family, every
 * documented meridian_ family on some panel. The checks are shown to fail on broken copies of the dashboard.
 * (PrometheusIT runs the same queries against a real Prometheus scraping a real daemon.)
 */
class DashboardTest {

    private static final String UID = Dashboard.provisionedDatasourceUid();
    private static final Dashboard.Families FAMILIES = Dashboard.documentedFamilies();

    @Test
    void theShippedDashboardUsesTheProvisionedDatasourceAndOnlyDocumentedMetrics() {
        Dashboard dashboard = Dashboard.shipped();
        assertEquals(List.of(), dashboard.problems(UID, FAMILIES));
        assertTrue(dashboard.queries().size() >= 12, () -> "only " + dashboard.queries().size() + " queries");
    }

    @Test
    void everyDocumentedMeridianFamilyIsOnAPanel() {
        Set<String> shown = new TreeSet<>();
        for (Dashboard.Query query : Dashboard.shipped().queries()) {
            for (String metric : Dashboard.metricNames(query.expr())) {
                Matcher part = Dashboard.HISTOGRAM_PART.matcher(metric);
                shown.add(part.matches() && !FAMILIES.types().containsKey(metric) ? part.group(1) : metric);
            }
        }
        Set<String> missing = new TreeSet<>(FAMILIES.types().keySet());
        missing.removeIf(family -> !family.startsWith("meridian_") || shown.contains(family));
        assertEquals(Set.of(), missing, "documented families no panel shows");
    }

    /** Guards the parse of the doc's table: a format change must not make every name "undocumented" or none. */
    @Test
    void theDocumentedFamiliesAreReadFromTheTable() {
        assertEquals("counter", FAMILIES.types().get("meridian_syscalls_total"));
        assertEquals("histogram", FAMILIES.types().get("meridian_syscall_duration_seconds"));
        assertEquals("gauge", FAMILIES.types().get("meridian_sandboxes"));
        assertTrue(FAMILIES.types().size() >= 12, FAMILIES::toString);
        assertEquals(List.of("jvm_", "process_"), FAMILIES.prefixes());
        assertTrue(FAMILIES.documents("meridian_syscall_duration_seconds_bucket"));
        assertTrue(FAMILIES.documents("jvm_memory_used_bytes"));
        assertTrue(!FAMILIES.documents("meridian_syscalls_total_bucket"), "a counter has no buckets");
        assertTrue(!FAMILIES.documents("meridian_sandboxes_sum"), "a gauge has no sum");
        assertTrue(!FAMILIES.documents("go_goroutines"));
    }

    @Test
    void theProvisionedUidIsTheOneTheDashboardNames() {
        assertEquals("meridian-prometheus", UID);
    }

    @Test
    void aPanelOnAnotherDatasourceIsAProblem() {
        List<String> problems = broken("\"uid\": \"" + UID + "\"", "\"uid\": \"some-other-prometheus\"", 1);
        assertTrue(problems.stream().anyMatch(problem -> problem.contains("Call rate by system call and verdict")
                && problem.contains("some-other-prometheus")), problems::toString);
    }

    @Test
    void aPanelWithoutADatasourceIsAProblem() {
        List<String> problems = broken("\"datasource\": {", "\"datasourceX\": {", 1);
        assertTrue(problems.stream().anyMatch(problem -> problem.contains("datasource is not a")), problems::toString);
    }

    @Test
    void aTargetWithoutAnExprIsAProblem() {
        List<String> problems = broken("\"expr\": \"sum by (state)", "\"exprX\": \"sum by (state)", 1);
        assertEquals(List.of("panel \"Sandboxes by state\" target A: no expr"), problems);
    }

    @Test
    void anUndocumentedMetricIsAProblem() {
        List<String> problems = broken("meridian_bus_lag_seconds{", "meridian_bus_lag_secs{", 1);
        assertEquals(List.of("panel \"Bus lag\" target B: meridian_bus_lag_secs is not a family of"
                + " docs/observability.md"), problems);
        List<String> buckets = broken("meridian_sandboxes{", "meridian_sandboxes_bucket{", 1);
        assertEquals(List.of("panel \"Sandboxes by state\" target A: meridian_sandboxes_bucket is not a family of"
                + " docs/observability.md"), buckets);
    }

    @Test
    void aVariableOnAnUndocumentedMetricIsAProblem() {
        List<String> problems = broken("label_values(meridian_bus_events_total, instance)",
                "label_values(up, instance)", 2);
        assertEquals(List.of("variable instance: up is not a family of docs/observability.md"), problems);
    }

    @Test
    void metricNamesAreTheSelectorsNotFunctionsLabelsOrDurations() {
        assertEquals(Set.of("meridian_syscalls_total"), Dashboard.metricNames(
                "sum by (syscall, verdict) (rate(meridian_syscalls_total{instance=~\"$instance\"}"
                        + "[$__rate_interval]))"));
        assertEquals(Set.of("a_sum", "a_count"), Dashboard.metricNames(
                "sum(increase(a_sum[5m])) by (le) / sum without(job) (increase(a_count[1h30m] offset 5m))"));
        assertEquals(Set.of("x_bucket"), Dashboard.metricNames(
                "histogram_quantile(0.99, sum by(le) (rate(x_bucket{le!=\"+Inf\", rule=\"a}b\"}[${__interval}])))"));
        assertEquals(Set.of("left", "right"), Dashboard.metricNames(
                "left * on(instance) group_left(version) right > bool 1e3 and left unless right or inf"));
        assertEquals(Set.of("__name__"), Dashboard.metricNames("sum({__name__=~\"meridian_.*\"})"));
        assertEquals(Set.of("m"), Dashboard.metricNames("topk(10, m) / count_values(\"v\", m) - quantile(0.5, m)"));
        assertEquals(Set.of(), Dashboard.metricNames("vector(1) + time()"));
    }

    @Test
    void grafanaVariablesAreReplacedAndAnUnknownOneIsAnError() {
        Map<String, String> values = Map.of("__rate_interval", "5m", "instance", ".*");
        assertEquals("rate(m{instance=~\".*\"}[5m]) + rate(m[5m]) + rate(m[5m])", Dashboard.substitute(
                "rate(m{instance=~\"$instance\"}[$__rate_interval]) + rate(m[${__rate_interval}])"
                        + " + rate(m[[[__rate_interval]]])", values));
        AssertionError unknown = assertThrows(AssertionError.class,
                () -> Dashboard.substitute("rate(m[$__interval])", values));
        assertTrue(unknown.getMessage().contains("$__interval"), unknown::getMessage);
    }

    /** The problems of the shipped dashboard with {@code from} replaced by {@code to} (found {@code times}). */
    private static List<String> broken(String from, String to, int atLeast) {
        String text = Dashboard.read(Dashboard.shippedFile());
        int found = text.split(Pattern.quote(from), -1).length - 1;
        assertTrue(found >= atLeast, () -> "the dashboard has no " + from + " to break");
        return Dashboard.parse(text.replaceFirst(Pattern.quote(from),
                Matcher.quoteReplacement(to)), "a broken copy").problems(UID, FAMILIES);
    }
}
