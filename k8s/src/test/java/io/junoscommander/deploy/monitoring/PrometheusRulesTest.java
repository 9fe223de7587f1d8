package io.junoscommander.deploy.monitoring;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The alert rules as Prometheus reads them: {@code promtool check rules}, the unit tests of {@code rules-test.yml}
 * ({@code promtool test rules}) and {@code promtool check config} of the compose scrape configuration. promtool comes from
 * Debian's {@code prometheus} package (scripts/test.sh installs it); without it these tests fail, they never skip.
 */
class PrometheusRulesTest {

    @Test
    void rulesPassPromtoolCheck() throws Exception {
        String out = promtool("check", "rules", "rules.yml");
        assertThat(out).contains("SUCCESS");
    }

    @Test
    void alertUnitTestsPass() throws Exception {
        String out = promtool("test", "rules", "rules-test.yml");
        assertThat(out).contains("SUCCESS").doesNotContain("FAILED");
    }

    @Test
    void composeScrapeConfigIsValidAndScrapesEveryServiceOnItsManagementPort() throws Exception {
        String out = promtool("check", "config", "prometheus-compose.yml");
        assertThat(out).contains("SUCCESS");
        JsonNode config = MonitoringFiles.yaml().readTree(MonitoringFiles.PROMETHEUS.resolve("prometheus-compose.yml").toFile());
        List<String> targets = new ArrayList<>();
        config.path("scrape_configs").forEach(job -> job.path("static_configs").forEach(statics -> statics.path("targets")
                .forEach(target -> targets.add(job.path("job_name").asText() + "=" + target.asText()))));
        assertThat(targets).contains("gateway-service=gateway-service:9080", "device-service=device-service:9081",
                "task-service=task-service:9082", "backup-service=backup-service:9083");
    }

    /**
     * Debian's promtool is built without Kubernetes discovery, so it cannot check this file; at least the parts the rules
     * and dashboards depend on are asserted: annotated pods only, and job named after app.kubernetes.io/name.
     */
    @Test
    void kubernetesScrapeJobKeepsAnnotatedPodsAndNamesTheJobAfterTheService() throws Exception {
        JsonNode config = MonitoringFiles.yaml().readTree(MonitoringFiles.PROMETHEUS.resolve("scrape-kubernetes.yml").toFile());
        JsonNode job = config.path("scrape_configs").get(0);
        assertThat(job.path("kubernetes_sd_configs").get(0).path("role").asText()).isEqualTo("pod");
        List<String> relabels = new ArrayList<>();
        job.path("relabel_configs").forEach(relabel -> relabels.add(relabel.path("source_labels").toString() + " "
                + relabel.path("action").asText("replace") + " " + relabel.path("target_label").asText() + " "
                + relabel.path("regex").asText()));
        assertThat(relabels).contains("[\"__meta_kubernetes_pod_annotation_prometheus_io_scrape\"] keep  true",
                "[\"__meta_kubernetes_pod_label_app_kubernetes_io_name\"] replace job ",
                "[\"__meta_kubernetes_pod_annotation_prometheus_io_path\"] replace __metrics_path__ (.+)");
    }

    @Test
    void everyAlertHasForSeverityAndTheAnnotationsAnOperatorReads() throws Exception {
        List<String> problems = new ArrayList<>();
        int alerts = 0;
        for (JsonNode group : MonitoringFiles.rules().path("groups")) {
            for (JsonNode rule : group.path("rules")) {
                if (!rule.has("alert")) {
                    continue;
                }
                alerts++;
                String name = rule.path("alert").asText();
                if (!rule.has("for")) {
                    problems.add(name + ": no 'for'");
                }
                if (!List.of("warning", "critical").contains(rule.path("labels").path("severity").asText())) {
                    problems.add(name + ": severity is not warning or critical");
                }
                for (String annotation : List.of("summary", "description", "runbook")) {
                    if (rule.path("annotations").path(annotation).asText().isBlank()) {
                        problems.add(name + ": no " + annotation + " annotation");
                    }
                }
            }
        }
        assertThat(alerts).isGreaterThanOrEqualTo(15);
        assertThat(problems).isEmpty();
    }

    @Test
    void importantAlertsHaveUnitTests() throws Exception {
        String tests = Files.readString(MonitoringFiles.PROMETHEUS.resolve("rules-test.yml"));
        for (String alert : List.of("JunosCommanderServiceDown", "JunosCommanderHigh5xxRate", "JunosCommanderHighLatencyP99",
                "JunosCommanderCircuitBreakerOpen", "JunosCommanderPgBouncerUnreachable", "JunosCommanderReadinessFlapping",
                "JunosCommanderPostgresBackupOverdue", "JunosCommanderWalReceiverLag", "JunosCommanderSshErrorRate",
                "JunosCommanderTaskQueueStuck", "JunosCommanderHpaAtMaxReplicas")) {
            assertThat(tests).as(alert).contains("alertname: " + alert);
        }
    }

    /** Runs promtool in the rules' folder (rule_files are relative to it); fails with promtool's output on a non-zero exit. */
    static String promtool(String... args) throws IOException, InterruptedException {
        Path promtool = Path.of("/usr/bin/promtool");
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, "promtool"))) {
                promtool = Path.of(dir, "promtool");
                break;
            }
        }
        assertThat(promtool).as("promtool (Debian package 'prometheus': apt-get install prometheus, or scripts/test.sh)")
                .isExecutable();
        List<String> command = new ArrayList<>(List.of(promtool.toString()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).directory(MonitoringFiles.PROMETHEUS.toFile()).redirectErrorStream(true).start();
        byte[] output = process.getInputStream().readAllBytes();
        assertThat(process.waitFor(120, TimeUnit.SECONDS)).as("promtool finished").isTrue();
        String text = new String(output, StandardCharsets.UTF_8);
        assertThat(process.exitValue()).as("promtool " + String.join(" ", args) + ":\n" + text).isZero();
        return text;
    }
}
