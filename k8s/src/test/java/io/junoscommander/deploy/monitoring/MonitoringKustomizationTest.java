package io.junoscommander.deploy.monitoring;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * {@code k8s/monitoring} as the overlays include it: {@code kubectl kustomize} renders exactly two ConfigMaps with fixed
 * names, the rules and every dashboard file of the folder (a dashboard added to the folder but not to the kustomization
 * would silently never reach Grafana); and each dashboard is one Grafana can load: a unique uid, the datasource variable on
 * every panel and query, panels inside the 24-column grid.
 */
class MonitoringKustomizationTest {

    @Test
    void kustomizeRendersTheRulesAndEveryDashboardAsConfigMapsWithFixedNames() throws Exception {
        Path kubectl = Path.of("/usr/bin/kubectl");
        assertThat(kubectl).as("kubectl (its kustomize renders the overlays; it is part of the machine image)").isExecutable();
        Process process = new ProcessBuilder(kubectl.toString(), "kustomize", MonitoringFiles.MONITORING.toString())
                .redirectErrorStream(true).start();
        String rendered = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(rendered).isZero();

        Map<String, JsonNode> configMaps = new HashMap<>();
        for (String document : rendered.split("(?m)^---$")) {
            JsonNode object = MonitoringFiles.yaml().readTree(document);
            assertThat(object.path("kind").asText()).isEqualTo("ConfigMap");
            configMaps.put(object.path("metadata").path("name").asText(), object);
        }
        assertThat(configMaps).containsOnlyKeys("junoscommander-prometheus-rules", "junoscommander-grafana-dashboards");

        JsonNode rules = configMaps.get("junoscommander-prometheus-rules").path("data");
        assertThat(rules.path("rules.yml").asText()).isEqualTo(Files.readString(MonitoringFiles.PROMETHEUS.resolve("rules.yml")));

        JsonNode dashboards = configMaps.get("junoscommander-grafana-dashboards");
        assertThat(dashboards.path("metadata").path("labels").path("grafana_dashboard").asText()).isEqualTo("1");
        Set<String> keys = new TreeSet<>();
        dashboards.path("data").fieldNames().forEachRemaining(keys::add);
        Set<String> files = MonitoringFiles.dashboards().stream().map(file -> file.getFileName().toString())
                .collect(Collectors.toCollection(TreeSet::new));
        assertThat(keys).isEqualTo(files);
        assertThat(files).contains("overview.json", "gateway-service.json", "device-service.json", "task-service.json",
                "backup-service.json", "ssh-devices.json", "tasks.json", "backups.json");
    }

    @Test
    void everyDashboardHasAUniqueUidAndUsesTheDatasourceVariableInsideTheGrid() throws IOException {
        ObjectMapper json = new ObjectMapper();
        Set<String> uids = new HashSet<>();
        List<String> problems = new ArrayList<>();
        for (Path file : MonitoringFiles.dashboards()) {
            JsonNode dashboard = json.readTree(file.toFile());
            String name = file.getFileName().toString();
            if (!uids.add(dashboard.path("uid").asText()) || dashboard.path("uid").asText().isBlank()) {
                problems.add(name + ": uid missing or not unique");
            }
            if (dashboard.path("title").asText().isBlank()) {
                problems.add(name + ": no title");
            }
            boolean datasourceVariable = false;
            for (JsonNode variable : dashboard.path("templating").path("list")) {
                datasourceVariable |= "datasource".equals(variable.path("type").asText())
                        && "prometheus".equals(variable.path("query").asText());
            }
            if (!datasourceVariable) {
                problems.add(name + ": no datasource variable of type prometheus");
            }
            Set<Integer> ids = new HashSet<>();
            for (JsonNode panel : dashboard.path("panels")) {
                String title = name + " panel '" + panel.path("title").asText() + "'";
                if (!ids.add(panel.path("id").asInt())) {
                    problems.add(title + ": duplicate id");
                }
                JsonNode grid = panel.path("gridPos");
                if (grid.path("x").asInt() + grid.path("w").asInt() > 24 || grid.path("w").asInt() <= 0 || grid.path("h").asInt() <= 0) {
                    problems.add(title + ": outside the grid " + grid);
                }
                if ("row".equals(panel.path("type").asText())) {
                    continue;
                }
                if (!"${datasource}".equals(panel.path("datasource").path("uid").asText()) || panel.path("targets").isEmpty()) {
                    problems.add(title + ": no datasource variable or no query");
                }
                for (JsonNode target : panel.path("targets")) {
                    if (!(target instanceof ObjectNode) || target.path("expr").asText().isBlank()) {
                        problems.add(title + ": a target without expression");
                    }
                }
            }
        }
        assertThat(problems).isEmpty();
    }
}
