package dev.meridian.policy.internal;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import org.snakeyaml.engine.v2.nodes.Tag;
import org.snakeyaml.engine.v2.schema.CoreSchema;

/**
 * Reads one YAML (or JSON) document as a node tree that remembers where each node was written,
 * and gives typed access to it: each accessor reports a wrong type as a problem at the node's
 * position and returns {@code null}, so a reader can go on and find the next problem.
 */
final class YamlReader {

    private final String file;
    private final Problems problems;

    YamlReader(String file, Problems problems) {
        this.file = file;
        this.problems = problems;
    }

    String file() {
        return file;
    }

    Problems problems() {
        return problems;
    }

    /** The document's root node, or {@code null} after reporting a syntax error or an empty file. */
    Node parse(String text) {
        LoadSettings settings = LoadSettings.builder()
                .setLabel(file)
                .setSchema(new CoreSchema())
                .setAllowDuplicateKeys(true) // reported by mapping(), with both positions
                .setMaxAliasesForCollections(50)
                .build();
        try {
            Node root = new Compose(settings).composeString(text).orElse(null);
            if (root == null) {
                problems.add(new Position(file, 1, 1), "the file is empty");
            }
            return root;
        } catch (MarkedYamlEngineException e) {
            Position at = e.getProblemMark().map(this::position).orElse(Position.of(file));
            problems.add(at, "syntax error: " + e.getProblem());
            return null;
        } catch (YamlEngineException e) {
            problems.add(Position.of(file), "syntax error: " + e.getMessage());
            return null;
        }
    }

    Position at(Node node) {
        return node.getStartMark().map(this::position).orElse(Position.of(file));
    }

    private Position position(Mark mark) {
        return new Position(file, mark.getLine() + 1, mark.getColumn() + 1);
    }

    void problem(Node node, String cause) {
        problems.add(at(node), cause);
    }

    /**
     * The entries of a mapping by key, in written order; reports a non-mapping, unknown keys (with
     * the closest known one) and duplicate keys.
     */
    Map<String, Node> mapping(Node node, String what, Set<String> known) {
        if (!(node instanceof MappingNode mapping)) {
            problem(node, what + " must be a mapping, not " + describe(node));
            return null;
        }
        Map<String, Node> entries = new LinkedHashMap<>();
        Map<String, Node> keys = new LinkedHashMap<>();
        for (NodeTuple tuple : mapping.getValue()) {
            Node keyNode = tuple.getKeyNode();
            if (!(keyNode instanceof ScalarNode scalar)) {
                problem(keyNode, "a key of " + what + " must be a plain word");
                continue;
            }
            String key = scalar.getValue();
            if (!known.contains(key)) {
                problem(keyNode, "unknown key '" + key + "' in " + what + Suggestions.didYouMean(key, known));
                continue;
            }
            Node first = keys.putIfAbsent(key, keyNode);
            if (first != null) {
                problem(keyNode, "duplicate key '" + key + "' in " + what + " (first at " + at(first) + ")");
                continue;
            }
            entries.put(key, tuple.getValueNode());
        }
        return entries;
    }

    /** The items of a sequence; a single scalar counts as a sequence of one when {@code scalarAllowed}. */
    List<Node> sequence(Node node, String what) {
        if (node instanceof SequenceNode sequence) {
            return sequence.getValue();
        }
        problem(node, what + " must be a list, not " + describe(node));
        return null;
    }

    /** A scalar as written (strings, numbers and words alike), or null if it is no scalar. */
    String scalar(Node node, String what) {
        if (node instanceof ScalarNode scalar && !Tag.NULL.equals(scalar.getTag())) {
            return scalar.getValue();
        }
        problem(node, what + " must be a single value, not " + describe(node));
        return null;
    }

    /** A string scalar (a number or a boolean is a type error). */
    String string(Node node, String what) {
        if (node instanceof ScalarNode scalar && Tag.STR.equals(scalar.getTag())) {
            return scalar.getValue();
        }
        problem(node, what + " must be a string, not " + describe(node));
        return null;
    }

    Boolean bool(Node node, String what) {
        if (node instanceof ScalarNode scalar && Tag.BOOL.equals(scalar.getTag())) {
            return Boolean.parseBoolean(scalar.getValue());
        }
        problem(node, what + " must be true or false, not " + describe(node));
        return null;
    }

    /** An integer (decimal, 0x hex or 0o octal), or null after reporting. */
    Long integer(Node node, String what) {
        if (node instanceof ScalarNode scalar && Tag.INT.equals(scalar.getTag())) {
            Long value = parseInteger(scalar.getValue());
            if (value != null) {
                return value;
            }
        }
        problem(node, what + " must be an integer, not " + describe(node));
        return null;
    }

    /** True when {@code node} is a scalar the Core schema reads as an integer. */
    static boolean isInteger(Node node) {
        return node instanceof ScalarNode scalar && Tag.INT.equals(scalar.getTag());
    }

    static Long parseInteger(String text) {
        try {
            String digits = text.startsWith("+") ? text.substring(1) : text;
            if (digits.startsWith("0x")) {
                return Long.parseUnsignedLong(digits.substring(2), 16);
            }
            if (digits.startsWith("0o")) {
                return Long.parseUnsignedLong(digits.substring(2), 8);
            }
            return Long.parseLong(digits);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** How a node looks to a user, for type errors. */
    static String describe(Node node) {
        if (node instanceof MappingNode) {
            return "a mapping";
        }
        if (node instanceof SequenceNode) {
            return "a list";
        }
        ScalarNode scalar = (ScalarNode) node;
        Tag tag = scalar.getTag();
        if (Tag.NULL.equals(tag)) {
            return "nothing (null)";
        }
        String kind = Tag.INT.equals(tag) ? "the number " : Tag.BOOL.equals(tag) ? "the boolean "
                : Tag.FLOAT.equals(tag) ? "the number " : "the string ";
        return kind + "'" + scalar.getValue() + "'";
    }
}
