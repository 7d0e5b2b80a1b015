package dev.meridian.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Grafana dashboard the project ships ({@code observability/grafana/dashboards/meridian.json}), its
 * provisioning, and the metric families {@code docs/observability.md} documents: the panels' queries, the
 * metric names each PromQL expression selects, and the checks that keep the three in agreement. Pure: reads
 * files, starts nothing.
 */
final class Dashboard {

    /** One query of a panel: {@code instant} for a panel showing one value per series, else a range query. */
    record Query(String panel, String refId, String expr, boolean instant) {
        @Override
        public String toString() {
            return "\"" + panel + "\" " + refId + ": " + expr;
        }
    }

    /** A {@code label_values(METRIC, LABEL)} variable of the dashboard. */
    record Variable(String name, String metric, String label) {
    }

    /** The documented metric families: exact names with their type, and name prefixes (rows like {@code jvm_*}). */
    record Families(Map<String, String> types, List<String> prefixes) {

        /**
         * Whether {@code name} is a documented series name: a family itself, a histogram's (or summary's)
         * {@code _bucket}, {@code _sum} or {@code _count}, or under a documented prefix.
         */
        boolean documents(String name) {
            if (types.containsKey(name) || prefixes.stream().anyMatch(name::startsWith)) {
                return true;
            }
            Matcher part = HISTOGRAM_PART.matcher(name);
            if (!part.matches()) {
                return false;
            }
            String type = types.get(part.group(1));
            return "histogram".equals(type) || ("summary".equals(type) && !part.group(2).equals("bucket"));
        }
    }

    static final Pattern HISTOGRAM_PART = Pattern.compile("(.+)_(bucket|sum|count)");
    private static final Pattern LABEL_VALUES =
            Pattern.compile("label_values\\(\\s*([A-Za-z_:][A-Za-z0-9_:]*)\\s*,\\s*([A-Za-z_][A-Za-z0-9_]*)\\s*\\)");
    private static final Pattern YAML_UID = Pattern.compile("(?m)^\\s*uid:\\s*['\"]?([^'\"\\s#]+)");
    private static final Pattern TABLE_NAME = Pattern.compile("`([A-Za-z_:][A-Za-z0-9_:]*(?:_\\*)?)`");

    /** PromQL words that are never metric names: operators, modifiers, aggregations, literals. */
    private static final Set<String> KEYWORDS = Set.of("and", "or", "unless", "offset", "bool", "atan2", "inf",
            "nan", "sum", "min", "max", "avg", "group", "stddev", "stdvar", "count", "count_values", "bottomk",
            "topk", "quantile", "limitk", "limit_ratio");
    /** Words followed by a parenthesised list of label names, not of expressions. */
    private static final Set<String> GROUPING = Set.of("by", "without", "on", "ignoring", "group_left",
            "group_right");

    final Map<String, Object> json;
    final String source;

    private Dashboard(Map<String, Object> json, String source) {
        this.json = json;
        this.source = source;
    }

    /** The repository's root: the distribution module's parent. */
    static Path repository() {
        return MeridianHome.moduleDirectory().getParent();
    }

    static Path shippedFile() {
        return repository().resolve("observability/grafana/dashboards/meridian.json");
    }

    static Dashboard shipped() {
        return parse(read(shippedFile()), shippedFile().toString());
    }

    static Dashboard parse(String text, String source) {
        return new Dashboard(Json.parseObject(text), source);
    }

    /** The uid of the one data source observability/grafana/provisioning/datasources/meridian.yml provisions. */
    static String provisionedDatasourceUid() {
        Path file = repository().resolve("observability/grafana/provisioning/datasources/meridian.yml");
        Matcher uid = YAML_UID.matcher(read(file));
        if (!uid.find()) {
            throw new AssertionError(file + " provisions no data source uid");
        }
        String found = uid.group(1);
        if (uid.find()) {
            throw new AssertionError(file + " provisions more than one data source uid");
        }
        return found;
    }

    /** The families of the table right under "## Metric families" in {@code docs/observability.md}. */
    static Families documentedFamilies() {
        return families(read(repository().resolve("docs/observability.md")));
    }

    static Families families(String markdown) {
        Map<String, String> types = new LinkedHashMap<>();
        List<String> prefixes = new ArrayList<>();
        boolean inSection = false;
        for (String line : markdown.split("\n")) {
            if (line.startsWith("#")) {
                // The table right under the heading; subsections (### ...) have tables of their own.
                inSection = line.startsWith("## Metric families");
                continue;
            }
            if (!inSection || !line.startsWith("|")) {
                continue;
            }
            String[] cells = line.split("\\|", -1);
            if (cells.length < 3) {
                continue;
            }
            String type = cells[2].strip();
            Matcher name = TABLE_NAME.matcher(cells[1]);
            while (name.find()) {
                String family = name.group(1);
                if (family.endsWith("_*")) {
                    prefixes.add(family.substring(0, family.length() - 1));
                } else {
                    types.put(family, type);
                }
            }
        }
        return new Families(types, prefixes);
    }

    /** Every panel but rows, those inside rows included, in order. */
    List<Map<String, Object>> panels() {
        List<Map<String, Object>> panels = new ArrayList<>();
        collectPanels(list(json.get("panels")), panels);
        return panels;
    }

    private static void collectPanels(List<Object> from, List<Map<String, Object>> into) {
        for (Object element : from) {
            Map<String, Object> panel = object(element);
            if ("row".equals(panel.get("type"))) {
                collectPanels(list(panel.get("panels")), into);
            } else {
                into.add(panel);
            }
        }
    }

    List<Query> queries() {
        List<Query> queries = new ArrayList<>();
        for (Map<String, Object> panel : panels()) {
            for (Object element : list(panel.get("targets"))) {
                Map<String, Object> target = object(element);
                queries.add(new Query(String.valueOf(panel.get("title")), String.valueOf(target.get("refId")),
                        target.get("expr") instanceof String expr ? expr : "",
                        Boolean.TRUE.equals(target.get("instant"))));
            }
        }
        return queries;
    }

    /** The template variables; a variable that is not {@code label_values(METRIC, LABEL)} is an AssertionError. */
    List<Variable> variables() {
        List<Variable> variables = new ArrayList<>();
        Object templating = json.get("templating");
        for (Object element : templating == null ? List.of() : list(object(templating).get("list"))) {
            Map<String, Object> variable = object(element);
            Object query = variable.get("query");
            String text = query instanceof Map<?, ?> map ? String.valueOf(map.get("query")) : String.valueOf(query);
            Matcher labelValues = LABEL_VALUES.matcher(text.strip());
            if (!labelValues.matches()) {
                throw new AssertionError("variable " + variable.get("name") + " of " + source
                        + " is not label_values(METRIC, LABEL): " + text);
            }
            variables.add(new Variable(String.valueOf(variable.get("name")), labelValues.group(1),
                    labelValues.group(2)));
        }
        return variables;
    }

    /**
     * What is wrong with this dashboard against the provisioned data source {@code uid} and the documented
     * {@code families}, one line each; empty when nothing is.
     */
    List<String> problems(String uid, Families families) {
        List<String> problems = new ArrayList<>();
        Set<Object> ids = new HashSet<>();
        List<Map<String, Object>> panels = panels();
        if (panels.isEmpty()) {
            problems.add("no panels");
        }
        for (Map<String, Object> panel : panels) {
            String title = "panel \"" + panel.get("title") + "\"";
            if (!ids.add(panel.get("id"))) {
                problems.add(title + ": id " + panel.get("id") + " is not unique");
            }
            checkDatasource(title, panel.get("datasource"), uid, problems);
            List<Object> targets = list(panel.get("targets"));
            if (targets.isEmpty()) {
                problems.add(title + ": no targets");
            }
            Set<Object> refIds = new HashSet<>();
            for (Object element : targets) {
                Map<String, Object> target = object(element);
                String name = title + " target " + target.get("refId");
                if (!refIds.add(target.get("refId"))) {
                    problems.add(name + ": refId is not unique");
                }
                if (target.containsKey("datasource")) {
                    checkDatasource(name, target.get("datasource"), uid, problems);
                }
                if (!(target.get("expr") instanceof String expr) || expr.isBlank()) {
                    problems.add(name + ": no expr");
                    continue;
                }
                Set<String> metrics = metricNames(expr);
                if (metrics.isEmpty()) {
                    problems.add(name + ": the expr names no metric: " + expr);
                }
                for (String metric : metrics) {
                    if (!families.documents(metric)) {
                        problems.add(name + ": " + metric + " is not a family of docs/observability.md");
                    }
                }
            }
        }
        Object templating = json.get("templating");
        for (Object element : templating == null ? List.of() : list(object(templating).get("list"))) {
            Map<String, Object> variable = object(element);
            checkDatasource("variable " + variable.get("name"), variable.get("datasource"), uid, problems);
        }
        try {
            for (Variable variable : variables()) {
                if (!families.documents(variable.metric())) {
                    problems.add("variable " + variable.name() + ": " + variable.metric()
                            + " is not a family of docs/observability.md");
                }
            }
        } catch (AssertionError notLabelValues) {
            problems.add(notLabelValues.getMessage());
        }
        return problems;
    }

    private static void checkDatasource(String what, Object datasource, String uid, List<String> problems) {
        if (!(datasource instanceof Map<?, ?> reference)) {
            problems.add(what + ": datasource is not a {type, uid} reference to " + uid + " but " + datasource);
        } else if (!uid.equals(reference.get("uid")) || !"prometheus".equals(reference.get("type"))) {
            problems.add(what + ": datasource " + reference + " is not the provisioned prometheus uid " + uid);
        }
    }

    /**
     * The metric names a PromQL expression selects: every identifier that is not a function or aggregation (a
     * word before "("), an operator or keyword, a label name (inside {...}, or in a by/without/on/ignoring/
     * group_left/group_right list), a string, a number or duration, or a range ([...]). A selector by
     * {@code __name__} yields "__name__", which no family documents.
     */
    static Set<String> metricNames(String expr) {
        Set<String> names = new TreeSet<>();
        int at = 0;
        int length = expr.length();
        while (at < length) {
            char c = expr.charAt(at);
            if (c == '"' || c == '\'' || c == '`') {
                at = afterString(expr, at);
            } else if (c == '{') {
                int end = afterBlock(expr, at, '}');
                if (expr.substring(at, end).contains("__name__")) {
                    names.add("__name__");
                }
                at = end;
            } else if (c == '[') {
                at = afterBlock(expr, at, ']');
            } else if (Character.isDigit(c) || c == '.') {
                while (at < length && (Character.isLetterOrDigit(expr.charAt(at)) || expr.charAt(at) == '.'
                        || expr.charAt(at) == '_')) {
                    at++; // a number, or a duration such as 5m
                }
            } else if (c == '$') {
                at++;
                while (at < length && (Character.isLetterOrDigit(expr.charAt(at))
                        || "_{}".indexOf(expr.charAt(at)) >= 0)) {
                    at++; // a Grafana variable
                }
            } else if (Character.isLetter(c) || c == '_' || c == ':') {
                int start = at;
                while (at < length && (Character.isLetterOrDigit(expr.charAt(at)) || expr.charAt(at) == '_'
                        || expr.charAt(at) == ':')) {
                    at++;
                }
                String word = expr.substring(start, at);
                int next = at;
                while (next < length && Character.isWhitespace(expr.charAt(next))) {
                    next++;
                }
                boolean call = next < length && expr.charAt(next) == '(';
                if (GROUPING.contains(word.toLowerCase())) {
                    if (call) {
                        at = afterBlock(expr, next, ')');
                    }
                } else if (!call && !KEYWORDS.contains(word.toLowerCase())) {
                    names.add(word);
                }
            } else {
                at++;
            }
        }
        return names;
    }

    /** The position after the string opening at {@code at} (backslash escapes in "..." and '...'). */
    private static int afterString(String expr, int at) {
        char quote = expr.charAt(at);
        int position = at + 1;
        while (position < expr.length() && expr.charAt(position) != quote) {
            position += quote != '`' && expr.charAt(position) == '\\' ? 2 : 1;
        }
        return Math.min(position + 1, expr.length());
    }

    /** The position after the {@code close} that ends the block opening at {@code at}, strings skipped. */
    private static int afterBlock(String expr, int at, char close) {
        int position = at + 1;
        while (position < expr.length() && expr.charAt(position) != close) {
            char c = expr.charAt(position);
            position = c == '"' || c == '\'' || c == '`' ? afterString(expr, position) : position + 1;
        }
        return Math.min(position + 1, expr.length());
    }

    /**
     * {@code expr} with Grafana's variables replaced: {@code $name}, {@code ${name}} and {@code [[name]]} by
     * {@code values.get(name)}. A variable without a value is an AssertionError (a query must not reach
     * Prometheus with a "$" in it).
     */
    static String substitute(String expr, Map<String, String> values) {
        Matcher variable = Pattern.compile("\\$\\{(\\w+)}|\\[\\[(\\w+)]]|\\$(\\w+)").matcher(expr);
        StringBuilder result = new StringBuilder();
        while (variable.find()) {
            String name = variable.group(1) != null ? variable.group(1)
                    : variable.group(2) != null ? variable.group(2) : variable.group(3);
            String value = values.get(name);
            if (value == null) {
                throw new AssertionError("no value for the Grafana variable $" + name + " in " + expr
                        + " (known: " + values.keySet() + ")");
            }
            variable.appendReplacement(result, Matcher.quoteReplacement(value));
        }
        variable.appendTail(result);
        return result.toString();
    }

    static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> object(Object value) {
        if (!(value instanceof Map<?, ?> map)) {
            throw new AssertionError("a JSON object expected, found " + value);
        }
        return (Map<String, Object>) map;
    }

    @SuppressWarnings("unchecked")
    private static List<Object> list(Object value) {
        if (value == null) {
            return List.of();
        }
        if (!(value instanceof List<?> list)) {
            throw new AssertionError("a JSON array expected, found " + value);
        }
        return (List<Object>) list;
    }
}
