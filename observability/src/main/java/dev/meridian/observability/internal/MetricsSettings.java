package dev.meridian.observability.internal;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The configuration of PID {@value #PID} (etc/dev.meridian.observability.cfg), checked: a value out of range, a word
 * where a number belongs, or a misspelt {@code metrics.*} key is refused with a message naming it, rather than
 * silently running with a default the operator did not mean.
 *
 * @param maxRules rules with series of their own in {@code meridian_policy_denials_total}; further rules count as
 *     {@value #OTHER}
 * @param perSandbox whether {@code meridian_syscalls_total} and {@code meridian_syscall_duration_seconds} carry a
 *     {@code sandbox} label
 * @param maxSandboxes with {@code perSandbox}, how many sandboxes have series of their own at once; further ones count
 *     as {@value #OTHER}
 * @param maxBundles bundles with series of their own in the bundle swap families; further ones count as
 *     {@value #OTHER}
 */
record MetricsSettings(int maxRules, boolean perSandbox, int maxSandboxes, int maxBundles) {

    static final String PID = "dev.meridian.observability";
    /** The label value under which what is over a bound counts. */
    static final String OTHER = "other";
    static final String MAX_RULES = "metrics.max.rules";
    static final String PER_SANDBOX = "metrics.per.sandbox";
    static final String MAX_SANDBOXES = "metrics.max.sandboxes";
    static final String MAX_BUNDLES = "metrics.max.bundles";
    static final List<String> KEYS = List.of(MAX_RULES, PER_SANDBOX, MAX_SANDBOXES, MAX_BUNDLES);
    static final int LIMIT = 10_000;

    static final MetricsSettings DEFAULTS = new MetricsSettings(100, false, 50, 64);

    /** From Config Admin's properties (strings from a .cfg file, or typed values); absent keys take the default. */
    static MetricsSettings from(Map<String, ?> properties) {
        for (String key : properties.keySet()) {
            if (key.startsWith("metrics.") && !KEYS.contains(key)) {
                throw new IllegalArgumentException(PID + ": unknown key " + key + " (known: " + String.join(", ", KEYS)
                        + ")");
            }
        }
        return new MetricsSettings(
                count(properties, MAX_RULES, DEFAULTS.maxRules()),
                flag(properties, PER_SANDBOX, DEFAULTS.perSandbox()),
                count(properties, MAX_SANDBOXES, DEFAULTS.maxSandboxes()),
                count(properties, MAX_BUNDLES, DEFAULTS.maxBundles()));
    }

    private static int count(Map<String, ?> properties, String key, int defaultValue) {
        Object value = properties.get(key);
        if (value == null) {
            return defaultValue;
        }
        String text = value.toString().strip();
        int count;
        try {
            count = Integer.parseInt(text);
        } catch (NumberFormatException e) {
            count = -1;
        }
        if (count < 1 || count > LIMIT) {
            throw new IllegalArgumentException(PID + ": " + key + " takes a whole number from 1 to " + LIMIT
                    + ", not '" + text + "'");
        }
        return count;
    }

    private static boolean flag(Map<String, ?> properties, String key, boolean defaultValue) {
        Object value = properties.get(key);
        if (value == null) {
            return defaultValue;
        }
        String text = value.toString().strip().toLowerCase(Locale.ROOT);
        return switch (text) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException(PID + ": " + key + " takes true or false, not '" + value
                    + "'");
        };
    }

    String describe() {
        return MAX_RULES + "=" + maxRules + ", " + PER_SANDBOX + "=" + perSandbox + ", " + MAX_SANDBOXES + "="
                + maxSandboxes + ", " + MAX_BUNDLES + "=" + maxBundles;
    }
}
