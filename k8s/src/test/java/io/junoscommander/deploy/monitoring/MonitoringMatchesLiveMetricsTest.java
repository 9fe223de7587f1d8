package io.junoscommander.deploy.monitoring;

import static org.assertj.core.api.Assertions.assertThat;

import io.junoscommander.infra.testing.PackagedService;
import io.junoscommander.infra.testing.SharedInfra;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The dashboards and alert rules against what the packaged services really export: the four services run against the
 * harness, traffic goes through the gateway, each {@code /metrics} is scraped, and every metric, label matcher and
 * grouping label a panel, a variable or a rule names must be there (with the scrape's {@code job} and {@code instance}).
 * The same running services show the metric fixes: histogram buckets on {@code http_server_requests_seconds}, no meter
 * without a name, readiness as metrics, and no direct PostgreSQL connection left once a service has started.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MonitoringMatchesLiveMetricsTest {

    /** What Prometheus attaches to every scraped series; dashboards and rules select services by job. */
    private static final Set<String> TARGET_LABELS = Set.of("job", "instance");

    /**
     * Series the services do not export, which the files may still name: Prometheus's own {@code up} per target, and
     * kube-state-metrics' HPA figures (JunosCommanderHpaAtMaxReplicas and the overview's replica panel).
     */
    private static final Map<String, Set<String>> EXTERNAL = Map.of(
            "up", Set.of("job", "instance"),
            "kube_horizontalpodautoscaler_status_current_replicas", Set.of("namespace", "horizontalpodautoscaler"),
            "kube_horizontalpodautoscaler_spec_max_replicas", Set.of("namespace", "horizontalpodautoscaler"));

    private static final List<String> HTTP_BUCKETS = List.of("0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1.0", "2.5",
            "5.0", "10.0", "30.0", "60.0", "+Inf");

    private RunningSuite suite;
    private final ExportedMetrics exported = new ExportedMetrics();
    private final Map<String, String> expositions = new LinkedHashMap<>();

    @BeforeAll
    void startServicesDriveTrafficAndScrape() throws Exception {
        suite = new RunningSuite();
        suite.driveTraffic();
        // one readiness evaluation after the traffic (interval 1 s in this test)
        Thread.sleep(1500);
        for (String service : suite.services.keySet()) {
            String text = suite.scrape(service);
            expositions.put(service, text);
            // kept beside the services' logs: what the services exported when the test ran
            Files.writeString(Path.of("target", "monitoring-services", service + ".metrics"), text);
            exported.add(text, Map.of("job", service, "instance", "127.0.0.1:" + suite.services.get(service).managementPort()));
        }
    }

    @AfterAll
    void stopServices() {
        if (suite != null) {
            suite.close();
        }
    }

    @Test
    void everyMetricAndLabelTheDashboardsAndRulesNameIsExported() throws IOException {
        List<MonitoringFiles.Query> queries = MonitoringFiles.queries();
        assertThat(queries).as("queries in rules.yml and the dashboards").hasSizeGreaterThan(50);
        List<String> problems = new ArrayList<>();
        for (MonitoringFiles.Query query : queries) {
            problems.addAll(check(query));
        }
        assertThat(problems).as("names no service exports (exported: %s)", exported.names()).isEmpty();
    }

    private List<String> check(MonitoringFiles.Query query) {
        List<String> problems = new ArrayList<>();
        PromQl.Names names;
        try {
            names = PromQl.parse(query.expression());
        } catch (IllegalArgumentException e) {
            return List.of(query.where() + ": " + e.getMessage());
        }
        Set<String> available = new HashSet<>(TARGET_LABELS);
        for (PromQl.Selector selector : names.selectors()) {
            if (selector.metric() == null) {
                problems.add(query.where() + ": a selector without a metric name");
                continue;
            }
            Set<String> labels = EXTERNAL.containsKey(selector.metric()) ? EXTERNAL.get(selector.metric())
                    : exported.has(selector.metric()) ? exported.labels(selector.metric()) : null;
            if (labels == null) {
                problems.add(query.where() + ": metric " + selector.metric() + " is not exported");
                continue;
            }
            available.addAll(labels);
            for (PromQl.LabelMatcher matcher : selector.matchers()) {
                if (!labels.contains(matcher.label())) {
                    problems.add(query.where() + ": " + selector.metric() + " has no label " + matcher.label() + " (has " + labels + ")");
                } else if ("=".equals(matcher.op()) && matcher.literal() && !EXTERNAL.containsKey(selector.metric())
                        && !"instance".equals(matcher.label())
                        && !exported.values(selector.metric(), matcher.label()).contains(matcher.value())) {
                    problems.add(query.where() + ": " + selector.metric() + "{" + matcher.label() + "=\"" + matcher.value()
                            + "\"} matches nothing (values: " + exported.values(selector.metric(), matcher.label()) + ")");
                }
            }
        }
        for (String label : names.groupingLabels()) {
            if (!available.contains(label)) {
                problems.add(query.where() + ": groups by " + label + ", which none of its metrics has");
            }
        }
        if (query.requiredLabel() != null) {
            boolean found = names.selectors().isEmpty() ? exported.names().stream().anyMatch(m -> exported.labels(m)
                    .contains(query.requiredLabel())) || TARGET_LABELS.contains(query.requiredLabel())
                    : available.contains(query.requiredLabel());
            if (!found) {
                problems.add(query.where() + ": lists values of label " + query.requiredLabel() + ", which its metric does not have");
            }
        }
        return problems;
    }

    @Test
    void httpServerRequestsHaveTheFixedLatencyBucketsOnEveryService() {
        for (String service : suite.services.keySet()) {
            Set<String> buckets = new TreeSet<>();
            expositions.get(service).lines().filter(line -> line.startsWith("http_server_requests_seconds_bucket{"))
                    .forEach(line -> buckets.add(line.replaceAll(".*le=\"([^\"]+)\".*", "$1")));
            assertThat(buckets).as(service).containsExactlyInAnyOrderElementsOf(HTTP_BUCKETS);
        }
        // the SSH timers get the same fixed buckets instead of Micrometer's ~70-bucket percentile histogram
        Set<String> sshBuckets = expositions.get("device-service").lines()
                .filter(line -> line.startsWith("ssh_command_duration_seconds_bucket{"))
                .map(line -> line.replaceAll(".*le=\"([^\"]+)\".*", "$1")).collect(Collectors.toCollection(TreeSet::new));
        assertThat(sshBuckets).containsExactlyInAnyOrderElementsOf(HTTP_BUCKETS);
    }

    @Test
    void noMeterIsExportedWithoutAName() {
        for (Map.Entry<String, String> exposition : expositions.entrySet()) {
            List<String> unnamed = exposition.getValue().lines().filter(line -> line.startsWith("m_") || line.startsWith("# TYPE m_"))
                    .toList();
            assertThat(unnamed).as(exposition.getKey()).isEmpty();
        }
    }

    @Test
    void readinessIsExportedPerCheck() {
        for (String service : suite.services.keySet()) {
            assertThat(expositions.get(service)).as(service).contains("junoscommander_ready 1.0")
                    .contains("junoscommander_readiness_check_up{check=\"postgresql\"} 1.0")
                    .contains("junoscommander_readiness_check_up{check=\"redis\"} 1.0")
                    .contains("junoscommander_readiness_changes_total 0.0");
        }
    }

    /**
     * The JDBC pool serves only Flyway: once a service is ready, PostgreSQL has no backend whose client is one of the
     * service's own TCP sockets, while the same sockets do hold the runtime connections to PgBouncer. Sockets are matched
     * through /proc (the process's socket inodes, then their local ports), so a connection cannot hide behind a name.
     */
    @Test
    void noServiceKeepsADirectPostgresConnectionAfterStart() throws IOException {
        int pgBouncerPort = Integer.parseInt(SharedInfra.harness().serviceEnvironment().get("DB_PORT"));
        int postgresPort = SharedInfra.harness().postgresPort();
        String user = SharedInfra.harness().serviceEnvironment().get("DB_USER");
        List<Map<String, String>> backends = SharedInfra.harness().queryAsSuperuser(
                "SELECT client_port, application_name, usename FROM pg_stat_activity WHERE client_port IS NOT NULL");
        for (Map.Entry<String, PackagedService> service : suite.services.entrySet()) {
            Map<Integer, Integer> sockets = tcpSockets(service.getValue().pid());
            assertThat(sockets.values()).as(service.getKey() + " talks to PgBouncer").contains(pgBouncerPort);
            // a local port is unique per remote end only: the same number may also be this process's socket to Redis
            // while another process uses it towards PostgreSQL, so the remote end must be PostgreSQL's port too
            List<Map<String, String>> direct = backends.stream().filter(row -> user.equals(row.get("usename")))
                    .filter(row -> Integer.valueOf(postgresPort).equals(sockets.get(Integer.parseInt(row.get("client_port"))))).toList();
            assertThat(direct).as(service.getKey() + "'s direct PostgreSQL connections").isEmpty();
        }
        assertThat(backends).as("migration connections still open")
                .noneMatch(row -> row.getOrDefault("application_name", "").endsWith("-migrations"));
        // the pool did serve Flyway (connections were created) and holds none now
        for (Map.Entry<String, String> exposition : expositions.entrySet()) {
            assertThat(exposition.getValue()).as(exposition.getKey())
                    .containsPattern("(?m)^agroal_creation_count_total\\{datasource=\"default\"} [1-9]")
                    .containsPattern("(?m)^agroal_available_count\\{datasource=\"default\"} 0\\.0$")
                    .containsPattern("(?m)^agroal_active_count\\{datasource=\"default\"} 0\\.0$");
        }
    }

    /** Local port to remote port of a process's TCP sockets (IPv4 and IPv6), from /proc. */
    private static Map<Integer, Integer> tcpSockets(long pid) throws IOException {
        Set<String> inodes = new HashSet<>();
        try (Stream<Path> fds = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
            for (Path fd : fds.toList()) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith("socket:[")) {
                        inodes.add(target.substring(8, target.length() - 1));
                    }
                } catch (IOException closedMeanwhile) {
                    // the descriptor closed while we listed them
                }
            }
        }
        Map<Integer, Integer> ports = new LinkedHashMap<>();
        for (String table : List.of("tcp", "tcp6")) {
            Path file = Path.of("/proc", Long.toString(pid), "net", table);
            if (!Files.exists(file)) {
                continue;
            }
            for (String line : Files.readAllLines(file).subList(1, Files.readAllLines(file).size())) {
                String[] fields = line.trim().split("\\s+");
                if (inodes.contains(fields[9])) {
                    int local = Integer.parseInt(fields[1].substring(fields[1].indexOf(':') + 1), 16);
                    int remote = Integer.parseInt(fields[2].substring(fields[2].indexOf(':') + 1), 16);
                    ports.put(local, remote);
                }
            }
        }
        return ports;
    }
}
