package io.junoscommander.deploy.monitoring;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Metric names, their label names and the values seen, read from Prometheus text expositions ({@code /metrics}) of the
 * running services. A histogram's {@code _bucket}, {@code _count}, {@code _sum} and {@code _max} lines are series of their
 * own, as PromQL sees them.
 */
final class ExportedMetrics {

    private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(.*)})?\\s+\\S+.*$");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\",?");

    private final Map<String, Map<String, Set<String>>> metrics = new TreeMap<>();

    /** Adds one exposition; {@code targetLabels} are what Prometheus attaches when it scrapes (job, instance). */
    void add(String exposition, Map<String, String> targetLabels) {
        for (String line : exposition.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            Matcher sample = SAMPLE.matcher(line.strip());
            if (!sample.matches()) {
                throw new IllegalArgumentException("not a sample line: " + line);
            }
            Map<String, Set<String>> labels = metrics.computeIfAbsent(sample.group(1), name -> new TreeMap<>());
            if (sample.group(3) != null) {
                Matcher label = LABEL.matcher(sample.group(3));
                while (label.find()) {
                    // as Prometheus does (honor_labels false): an exported label named like a target label becomes exported_<name>
                    String name = targetLabels.containsKey(label.group(1)) ? "exported_" + label.group(1) : label.group(1);
                    labels.computeIfAbsent(name, n -> new TreeSet<>()).add(label.group(2));
                }
            }
            targetLabels.forEach((name, value) -> labels.computeIfAbsent(name, n -> new TreeSet<>()).add(value));
        }
    }

    boolean has(String metric) {
        return metrics.containsKey(metric);
    }

    Set<String> names() {
        return metrics.keySet();
    }

    Set<String> labels(String metric) {
        return metrics.getOrDefault(metric, Map.of()).keySet();
    }

    Set<String> values(String metric, String label) {
        return metrics.getOrDefault(metric, Map.of()).getOrDefault(label, Set.of());
    }
}
