package io.junoscommander.deploy.monitoring;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** The monitoring files of {@code k8s/monitoring}: every PromQL expression in the alert rules and the Grafana dashboards. */
final class MonitoringFiles {

    /** The module's folder when tests run (Maven runs them in {@code k8s/}). */
    static final Path MONITORING = Path.of("monitoring");
    static final Path PROMETHEUS = MONITORING.resolve("prometheus");
    static final Path DASHBOARDS = MONITORING.resolve("grafana").resolve("dashboards");

    private static final Pattern LABEL_VALUES = Pattern.compile("^\\s*label_values\\((?:(.*),)?\\s*([a-zA-Z_][a-zA-Z0-9_]*)\\s*\\)\\s*$",
            Pattern.DOTALL);

    /** A query and where it is; {@code requiredLabel} is the label a {@code label_values(…, label)} variable lists. */
    record Query(String where, String expression, String requiredLabel) {
    }

    private MonitoringFiles() {
    }

    static ObjectMapper yaml() {
        return new ObjectMapper(new YAMLFactory());
    }

    static JsonNode rules() throws IOException {
        return yaml().readTree(PROMETHEUS.resolve("rules.yml").toFile());
    }

    static List<Path> dashboards() throws IOException {
        try (Stream<Path> files = Files.list(DASHBOARDS)) {
            return files.filter(file -> file.toString().endsWith(".json")).sorted().toList();
        }
    }

    /** Every alert or recording rule's expression, and every dashboard panel target and query variable. */
    static List<Query> queries() throws IOException {
        List<Query> queries = new ArrayList<>();
        for (JsonNode group : rules().path("groups")) {
            for (JsonNode rule : group.path("rules")) {
                String name = rule.has("alert") ? rule.path("alert").asText() : rule.path("record").asText();
                queries.add(new Query("rules.yml " + name, rule.path("expr").asText(), null));
            }
        }
        ObjectMapper json = new ObjectMapper();
        for (Path file : dashboards()) {
            JsonNode dashboard = json.readTree(file.toFile());
            collectPanels(file.getFileName() + " ", dashboard.path("panels"), queries);
            for (JsonNode variable : dashboard.path("templating").path("list")) {
                if (!"query".equals(variable.path("type").asText())) {
                    continue;
                }
                JsonNode query = variable.path("query");
                String text = query.isObject() ? query.path("query").asText() : query.asText();
                String where = file.getFileName() + " variable " + variable.path("name").asText();
                Matcher labelValues = LABEL_VALUES.matcher(text);
                if (labelValues.matches()) {
                    queries.add(new Query(where, labelValues.group(1) == null ? "" : labelValues.group(1), labelValues.group(2)));
                } else {
                    queries.add(new Query(where, text.replaceFirst("^\\s*query_result\\((.*)\\)\\s*$", "$1"), null));
                }
            }
        }
        return queries;
    }

    private static void collectPanels(String where, JsonNode panels, List<Query> into) {
        for (JsonNode panel : panels) {
            String title = where + "panel '" + panel.path("title").asText() + "'";
            for (JsonNode target : panel.path("targets")) {
                if (target.hasNonNull("expr")) {
                    into.add(new Query(title, target.path("expr").asText(), null));
                }
            }
            collectPanels(where, panel.path("panels"), into);
        }
    }
}
