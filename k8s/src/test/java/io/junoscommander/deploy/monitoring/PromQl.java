package io.junoscommander.deploy.monitoring;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a PromQL expression names, found by a tokenizer rather than a full parser: the series selectors (a metric name with
 * its label matchers, or a bare {@code {…}} selector) and the labels of {@code by}/{@code without}/{@code on}/
 * {@code ignoring}/{@code group_left}/{@code group_right} lists. An identifier followed by {@code (} is a function or an
 * aggregation, never a metric; keywords and durations are skipped. Grafana's variables are replaced first
 * ({@code $__rate_interval} by a duration, {@code $var} and {@code ${var}} by a placeholder value).
 */
final class PromQl {

    /** A label matcher: name, operator ({@code =}, {@code !=}, {@code =~}, {@code !~}) and the value as written. */
    record LabelMatcher(String label, String op, String value) {

        /** A literal value (no Grafana variable in it). */
        boolean literal() {
            return !value.contains(VARIABLE_VALUE);
        }
    }

    /** A series selector; {@code metric} is null for a bare {@code {…}} selector. */
    record Selector(String metric, List<LabelMatcher> matchers) {
    }

    /** What one expression names. */
    record Names(List<Selector> selectors, Set<String> groupingLabels) {
    }

    static final String VARIABLE_VALUE = "grafana-variable";

    private static final Set<String> KEYWORDS = Set.of("and", "or", "unless", "bool", "offset", "by", "without", "on", "ignoring",
            "group_left", "group_right", "inf", "nan", "atan2", "start", "end");
    private static final Set<String> AGGREGATIONS = Set.of("sum", "min", "max", "avg", "group", "stddev", "stdvar", "count",
            "count_values", "bottomk", "topk", "quantile");
    private static final Set<String> GROUPING = Set.of("by", "without", "on", "ignoring", "group_left", "group_right");
    private static final Pattern TOKEN = Pattern.compile(
            "\\s+|(?<string>\"(?:[^\"\\\\]|\\\\.)*\"|'(?:[^'\\\\]|\\\\.)*'|`[^`]*`)"
                    + "|(?<number>(?:0x[0-9a-fA-F]+|\\d+(?:\\.\\d+)?(?:[eE][+-]?\\d+)?)(?:ms|[smhdwy])?(?:\\d+(?:ms|[smhdwy]))*)"
                    + "|(?<ident>[a-zA-Z_:][a-zA-Z0-9_:]*)"
                    + "|(?<op>=~|!~|!=|==|>=|<=|[-+*/%^<>=(){}\\[\\],:@])");

    private PromQl() {
    }

    /** Grafana's variables made into PromQL: interval variables become a duration, others a placeholder label value. */
    static String withoutGrafanaVariables(String expression) {
        return expression.replaceAll("\\$__(rate_interval|interval|range)|\\$\\{__(rate_interval|interval|range)}", "5m")
                .replaceAll("\\$\\{[a-zA-Z0-9_:]+}|\\$[a-zA-Z_][a-zA-Z0-9_]*", VARIABLE_VALUE);
    }

    static Names parse(String expression) {
        List<String[]> tokens = tokenize(withoutGrafanaVariables(expression));
        List<Selector> selectors = new ArrayList<>();
        Set<String> grouping = new LinkedHashSet<>();
        int i = 0;
        while (i < tokens.size()) {
            String kind = tokens.get(i)[0];
            String text = tokens.get(i)[1];
            String next = i + 1 < tokens.size() ? tokens.get(i + 1)[1] : "";
            if ("ident".equals(kind) && GROUPING.contains(text)) {
                if ("(".equals(next)) {
                    i += 2;
                    while (i < tokens.size() && !")".equals(tokens.get(i)[1])) {
                        if ("ident".equals(tokens.get(i)[0])) {
                            grouping.add(tokens.get(i)[1]);
                        }
                        i++;
                    }
                }
                i++;
            } else if ("ident".equals(kind) && ("(".equals(next) || KEYWORDS.contains(text.toLowerCase())
                    || AGGREGATIONS.contains(text) && GROUPING.contains(next))) {
                i++;
            } else if ("ident".equals(kind)) {
                List<LabelMatcher> matchers = new ArrayList<>();
                i++;
                if ("{".equals(next)) {
                    i = matchers(tokens, i, matchers);
                }
                selectors.add(new Selector(text, matchers));
            } else if ("{".equals(text)) {
                List<LabelMatcher> matchers = new ArrayList<>();
                i = matchers(tokens, i, matchers);
                selectors.add(new Selector(null, matchers));
            } else if ("[".equals(text)) {
                // a range or subquery duration: skip to its end
                while (i < tokens.size() && !"]".equals(tokens.get(i)[1])) {
                    i++;
                }
                i++;
            } else {
                i++;
            }
        }
        return new Names(selectors, grouping);
    }

    /** Reads {@code {name op "value", …}} from the {@code {} at {@code start}; returns the index after the {@code }}. */
    private static int matchers(List<String[]> tokens, int start, List<LabelMatcher> into) {
        int i = start + 1;
        while (i + 2 < tokens.size() && !"}".equals(tokens.get(i)[1])) {
            if ("ident".equals(tokens.get(i)[0]) && "op".equals(tokens.get(i + 1)[0]) && "string".equals(tokens.get(i + 2)[0])) {
                String quoted = tokens.get(i + 2)[1];
                into.add(new LabelMatcher(tokens.get(i)[1], tokens.get(i + 1)[1], quoted.substring(1, quoted.length() - 1)));
                i += 3;
            } else {
                i++;
            }
        }
        return i + 1;
    }

    private static List<String[]> tokenize(String expression) {
        List<String[]> tokens = new ArrayList<>();
        Matcher matcher = TOKEN.matcher(expression);
        int position = 0;
        while (position < expression.length()) {
            if (!matcher.find(position) || matcher.start() != position) {
                throw new IllegalArgumentException("cannot read PromQL at " + position + ": " + expression);
            }
            for (String group : List.of("string", "number", "ident", "op")) {
                if (matcher.group(group) != null) {
                    tokens.add(new String[] {group, matcher.group(group)});
                }
            }
            position = matcher.end();
        }
        return tokens;
    }
}
