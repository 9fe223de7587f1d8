package io.junoscommander.lab.cli;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The configuration as a tree of statements, built from {@code set} paths (the form the lab stores) and rendered the way
 * Junos shows it: curly-brace hierarchy, {@code display set} lines, and the {@code show | compare} diff.
 *
 * <p>Without the Junos schema, a short list of keywords that take a name or value ({@code unit 0}, {@code host-name r1})
 * decides which tokens belong together in one statement; that covers everything the lab's configurations use.
 */
public final class ConfigTree {

    /** Keywords whose next token is part of the same statement. */
    static final Set<String> KEYWORDS_WITH_VALUE = Set.of(
            "host-name", "domain-name", "time-zone", "description", "mtu", "address", "router-id", "autonomous-system",
            "location", "contact", "class", "uid", "encrypted-password", "unit", "family", "group", "neighbor", "term",
            "policy-statement", "filter", "interface", "user", "area", "community", "authorization", "prefix-list",
            "route", "next-hop", "peer-as", "local-address", "type", "vlan-id", "metric", "preference", "protocol",
            "port", "source-address", "destination-address", "name-server", "host", "file", "zone", "security-zone",
            "instance-type", "export", "import", "local-as", "speed", "syslog-facility", "ntp-server", "server");

    /** Keywords that hold a single value: setting them again replaces the old value, as in Junos. */
    static final Set<String> SINGLE_VALUED = Set.of(
            "host-name", "domain-name", "time-zone", "description", "mtu", "router-id", "autonomous-system", "location",
            "contact", "class", "uid", "encrypted-password", "authorization", "peer-as", "local-address", "type",
            "vlan-id", "metric", "preference", "instance-type", "local-as", "speed");

    private final Node root = new Node("");

    private ConfigTree() {
    }

    /** Builds the tree from stored paths, each the tokens of a {@code set} line without the leading {@code set}. */
    public static ConfigTree of(Collection<String> setPaths) {
        ConfigTree tree = new ConfigTree();
        for (String path : setPaths) {
            Node node = tree.root;
            for (String statement : statements(tokenize(path))) {
                node = node.children.computeIfAbsent(statement, Node::new);
            }
        }
        return tree;
    }

    /**
     * Splits a line into tokens on blanks, keeping a double-quoted string as one token (quotes included).
     *
     * @throws IllegalArgumentException if a quote is not closed
     */
    public static List<String> tokenize(String line) {
        List<String> tokens = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '"') {
                quoted = !quoted;
                current.append(c);
            } else if (Character.isWhitespace(c) && !quoted) {
                if (current.length() > 0) {
                    tokens.add(current.toString());
                    current.setLength(0);
                }
            } else {
                current.append(c);
            }
        }
        if (quoted) {
            throw new IllegalArgumentException("unterminated quoted string");
        }
        if (current.length() > 0) {
            tokens.add(current.toString());
        }
        return tokens;
    }

    /** Groups tokens into statements: {@code [interfaces, ge-0/0/0, unit 0, family inet, address 10.0.0.1/30]}. */
    public static List<String> statements(List<String> tokens) {
        List<String> statements = new ArrayList<>();
        for (int i = 0; i < tokens.size(); i++) {
            String token = tokens.get(i);
            // The first token is always a top-level stanza, never a keyword with a value.
            if (i > 0 && KEYWORDS_WITH_VALUE.contains(token) && i + 1 < tokens.size()) {
                statements.add(token + " " + tokens.get(i + 1));
                i++;
            } else {
                statements.add(token);
            }
        }
        return statements;
    }

    /** Whether the tree has a statement at this path of statements. */
    public boolean contains(List<String> statementPath) {
        return find(statementPath) != null;
    }

    /** Statements directly below a path, e.g. the interface names below {@code [interfaces]}. */
    public List<String> childrenOf(List<String> statementPath) {
        Node node = find(statementPath);
        return node == null ? List.of() : List.copyOf(node.children.keySet());
    }

    private Node find(List<String> statementPath) {
        Node node = root;
        for (String statement : statementPath) {
            node = node.children.get(statement);
            if (node == null) {
                return null;
            }
        }
        return node;
    }

    /** The curly-brace rendering of the whole tree, or of the subtree at {@code statementPath}. */
    public String renderBraces(List<String> statementPath) {
        Node node = find(statementPath);
        StringBuilder out = new StringBuilder();
        if (node != null) {
            for (Node child : node.children.values()) {
                render(child, 0, "", out);
            }
        }
        return out.toString();
    }

    /** {@code show configuration | display set}: one {@code set} line per leaf, in hierarchy order. */
    public String renderSetLines(List<String> statementPath) {
        Node node = find(statementPath);
        StringBuilder out = new StringBuilder();
        if (node != null) {
            collectSetLines(node, new StringBuilder("set" + (statementPath.isEmpty() ? "" : " " + String.join(" ", statementPath))),
                    out);
        }
        return out.toString();
    }

    private static void collectSetLines(Node node, StringBuilder prefix, StringBuilder out) {
        for (Node child : node.children.values()) {
            int mark = prefix.length();
            prefix.append(' ').append(child.statement);
            if (child.children.isEmpty()) {
                out.append(prefix).append('\n');
            } else {
                collectSetLines(child, prefix, out);
            }
            prefix.setLength(mark);
        }
    }

    /**
     * The Junos {@code show | compare} text: for each hierarchy level with changes an {@code [edit ...]} header, then the
     * removed statements prefixed with {@code -} and the added ones with {@code +}. Empty when both trees are equal.
     */
    public static String compare(ConfigTree active, ConfigTree candidate) {
        StringBuilder out = new StringBuilder();
        compare(active.root, candidate.root, new ArrayList<>(), out);
        return out.toString();
    }

    private static void compare(Node active, Node candidate, List<String> path, StringBuilder out) {
        StringBuilder section = new StringBuilder();
        for (Node removed : active.children.values()) {
            if (!candidate.children.containsKey(removed.statement)) {
                render(removed, 0, "-   ", section);
            }
        }
        for (Node added : candidate.children.values()) {
            if (!active.children.containsKey(added.statement)) {
                render(added, 0, "+   ", section);
            }
        }
        if (section.length() > 0) {
            out.append(path.isEmpty() ? "[edit]" : "[edit " + String.join(" ", path) + "]").append('\n').append(section);
        }
        for (Node both : candidate.children.values()) {
            Node before = active.children.get(both.statement);
            if (before != null) {
                path.add(both.statement);
                compare(before, both, path, out);
                path.remove(path.size() - 1);
            }
        }
    }

    private static void render(Node node, int depth, String linePrefix, StringBuilder out) {
        String indent = "    ".repeat(depth);
        if (node.children.isEmpty()) {
            out.append(linePrefix).append(indent).append(node.statement).append(";\n");
            return;
        }
        out.append(linePrefix).append(indent).append(node.statement).append(" {\n");
        for (Node child : node.children.values()) {
            render(child, depth + 1, linePrefix, out);
        }
        out.append(linePrefix).append(indent).append("}\n");
    }

    private static final class Node {
        private final String statement;
        private final Map<String, Node> children = new LinkedHashMap<>();

        Node(String statement) {
            this.statement = statement;
        }
    }
}
