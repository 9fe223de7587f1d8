import static io.junoscommander.infra.testing.BenchSupport.admin;
import static io.junoscommander.infra.testing.BenchSupport.cpuSeconds;
import static io.junoscommander.infra.testing.BenchSupport.get;
import static io.junoscommander.infra.testing.BenchSupport.loadAverage;
import static io.junoscommander.infra.testing.BenchSupport.percentile;
import static io.junoscommander.infra.testing.BenchSupport.post;
import static io.junoscommander.infra.testing.BenchSupport.require;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.junoscommander.infra.InfraHarness;
import io.junoscommander.infra.testing.BenchSupport;
import io.junoscommander.infra.testing.PackagedService;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * End-to-end task benchmark (run by bench/tasks.sh): the device lab with N devices, the device service and two task-service
 * replicas, each in its own JVM, real PostgreSQL/PgBouncer/Redis from the harness. Runs one task (one command on every device)
 * three times (JIT warm-up, new SSH sessions, reused sessions), then the same command on every device through the device
 * service's own fan-out (warm, then new sessions): the raw rate a task can at best approach. Prints for each round the wall
 * time, results per second, p50/p99 per device, the CPU each process spent per result, and what each result cost in SQL
 * statements (pg_stat_statements), Redis publishes and fan-out calls to the device service.
 */
public final class TaskBench {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Longer than a round takes, so warm reuses sessions; short enough to wait out before the cold round. */
    private static final Duration SESSION_IDLE = Duration.ofSeconds(15);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** Another build's packaged jar ({@code quarkus-run.jar}) for a before/after run against the same bench and lab. */
    private static java.util.Optional<Path> otherJar(String variable) {
        return java.util.Optional.ofNullable(System.getenv(variable)).filter(v -> !v.isBlank()).map(Path::of);
    }

    /** {@code SERVICE_JAVA_OPTS}: JVM flags for the device service and both task replicas (say, the images' flags). */
    private static List<String> javaOptions() {
        String options = System.getenv().getOrDefault("SERVICE_JAVA_OPTS", "").trim();
        return options.isEmpty() ? List.of() : List.of(options.split("\\s+"));
    }

    public static void main(String[] args) throws Exception {
        Path root = Path.of(args[0]).toAbsolutePath();
        int devices = Integer.parseInt(args[1]);
        int concurrency = Integer.parseInt(args[2]);
        Path work = Files.createTempDirectory(Path.of("/tmp"), "jc-bench");
        List<PackagedService> services = new ArrayList<>();
        BenchSupport.Lab lab = null;
        try {
            InfraHarness infra = InfraHarness.startForTests("bench");
            // statement counts per round: pg_stat_statements must be loaded at server start
            infra.setPostgresParameter("shared_preload_libraries", "pg_stat_statements");
            infra.killPostgres();
            infra.startPostgres();
            infra.queryAsSuperuser("CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
            byte[] key = new byte[32];
            new SecureRandom().nextBytes(key);
            Map<String, String> env = new HashMap<>(PackagedService.testEnvironment(infra));
            env.put("CREDENTIAL_KEYS", "bench:" + Base64.getEncoder().encodeToString(key));
            env.put("SSH_MAX_CONCURRENT_DEVICES", Integer.toString(Math.max(concurrency, 256)));
            env.put("SSH_FANOUT_CONCURRENCY", Integer.toString(concurrency));
            env.put("SSH_SESSION_IDLE_TIMEOUT", SESSION_IDLE.toSeconds() + "s");
            PackagedService.Builder deviceBuilder = PackagedService.of("device-service").environment(env).maxHeap("1g")
                    .logDirectory(work).readyTimeout(Duration.ofMinutes(2));
            otherJar("DEVICE_SERVICE_JAR").ifPresent(deviceBuilder::jar);
            deviceBuilder.jvmOptions(javaOptions());
            PackagedService device = deviceBuilder.start();
            services.add(device);
            // the lab takes free ports for its devices: start it once the service holds its own port
            lab = BenchSupport.startLab(root, work, devices);
            List<String> ids = BenchSupport.importLab(device.url(), lab);
            Map<String, String> taskEnv = new HashMap<>(env);
            taskEnv.put("DEVICE_SERVICE_URL", device.url());
            taskEnv.put("TASK_REPLICA_CAPACITY", Integer.toString(concurrency));
            taskEnv.put("TASK_POLL_INTERVAL", "1s");
            List<PackagedService> replicas = new ArrayList<>();
            for (String name : List.of("task-a", "task-b")) {
                PackagedService.Builder replica = PackagedService.of("task-service").name(name).environment(taskEnv).maxHeap("1g")
                        .logDirectory(work).readyTimeout(Duration.ofMinutes(2));
                otherJar("TASK_SERVICE_JAR").ifPresent(replica::jar);
                replica.jvmOptions(javaOptions());
                replicas.add(replica.launch());
            }
            services.addAll(replicas);
            for (PackagedService replica : replicas) {
                replica.awaitReady();
            }
            System.out.printf("task benchmark: %d lab devices, one command each, concurrency %d, two task-service replicas; load %s%n",
                    devices, concurrency, loadAverage());
            Map<String, List<Long>> measured = new LinkedHashMap<>();
            measured.put("task-a", List.of(replicas.get(0).pid()));
            measured.put("task-b", List.of(replicas.get(1).pid()));
            measured.put("device-service", List.of(device.pid()));
            measured.put("lab", List.of(lab.pid()));
            measured.putAll(BenchSupport.infraProcesses(infra));
            Bench bench = new Bench(infra, device.url(), device.managementUrl(), replicas.stream().map(PackagedService::url).toList(),
                    replicas.stream().map(PackagedService::managementUrl).toList(), ids, concurrency, measured);
            // a fresh JVM spends its first round compiling: that round is reported apart; then the SSH sessions are let go
            // (idle timeout) so "cold" pays a new session per device, and "warm" reuses the sessions cold opened
            bench.task("jit-warmup");
            Thread.sleep(SESSION_IDLE.plusSeconds(2).toMillis());
            Round cold = bench.task("cold sessions");
            Round warm = bench.task("warm sessions");
            Round rawWarm = bench.raw("raw fan-out, warm");
            Thread.sleep(SESSION_IDLE.plusSeconds(2).toMillis());
            Round rawCold = bench.raw("raw fan-out, cold");
            System.out.printf("tasks / raw fan-out of the same run: warm %.0f / %.0f results/s = %.0f%%, cold %.0f / %.0f = %.0f%%; load %s%n",
                    warm.rate(), rawWarm.rate(), 100 * warm.rate() / rawWarm.rate(), cold.rate(), rawCold.rate(),
                    100 * cold.rate() / rawCold.rate(), loadAverage());
            System.out.println("goal on a 2-core machine: warm >= 1,000 results/s and >= 60% of the raw warm fan-out; cold >= 300 results/s");
        } finally {
            if (lab != null) {
                lab.process().destroy();
                lab.process().waitFor();
            }
            services.forEach(PackagedService::stop);
        }
    }

    /** Wall time and results of one round. */
    private record Round(double wall, int results) {

        double rate() {
            return results / wall;
        }
    }

    /** Runs rounds and prints each with its profile. */
    private record Bench(InfraHarness infra, String deviceService, String deviceManagement, List<String> replicas,
            List<String> replicaManagement, List<String> ids, int concurrency, Map<String, List<Long>> processes) {

        /** One task over every device: submitted to one replica, watched on the other. */
        Round task(String round) throws Exception {
            ObjectNode task = JSON.createObjectNode();
            task.put("name", "bench " + round);
            task.putArray("commands").add("show version");
            ids.forEach(task.putObject("target").putArray("deviceIds")::add);
            task.put("concurrency", concurrency);
            task.put("perDeviceTimeoutSeconds", 60);
            Profile profile = profileStart();
            long startMillis = System.currentTimeMillis();
            // internal tokens live 60 s: each call gets a fresh one
            HttpResponse<String> submitted = post(replicas.get(0) + "/api/v1/tasks", admin(),
                    JSON.writeValueAsString(task));
            require(submitted.statusCode() == 202, "submit failed: " + submitted.body());
            String id = JSON.readTree(submitted.body()).get("id").asText();
            JsonNode state;
            while (true) {
                HttpResponse<String> polled = get(replicas.get(1) + "/api/v1/tasks/" + id, admin());
                require(polled.statusCode() == 200, "task status: " + polled.statusCode() + " " + polled.body());
                state = JSON.readTree(polled.body());
                if (state.path("final").asBoolean()) {
                    break;
                }
                Thread.sleep(50);
            }
            // the task's own end (the final recording's time, same clock), not when the poll saw it
            double wall = (OffsetDateTime.parse(state.get("finishedAt").asText()).toInstant().toEpochMilli() - startMillis) / 1000.0;
            String profiled = profile.finish(ids.size());
            List<Long> durations = new ArrayList<>();
            for (int page = 0; page * 1000 < ids.size(); page++) {
                for (JsonNode row : JSON.readTree(get(replicas.get(0) + "/api/v1/tasks/" + id + "/results?size=1000&page=" + page,
                        admin()).body())) {
                    durations.add(row.path("durationMs").asLong());
                }
            }
            durations.sort(Long::compare);
            System.out.printf("%-18s %s %s: %.2f s submit -> final, %.0f results/s, per device p50 %d ms p99 %d ms; load %s%n%s", round,
                    state.get("state").asText(), state.get("counts"), wall, ids.size() / wall, percentile(durations, 50),
                    percentile(durations, 99), loadAverage(), profiled);
            return new Round(wall, ids.size());
        }

        /** The same command on every device through the device service's streamed fan-out, without the task engine. */
        Round raw(String round) throws Exception {
            ObjectNode body = JSON.createObjectNode();
            ids.forEach(body.putArray("deviceIds")::add);
            body.putArray("commands").add("show version");
            body.put("timeoutSeconds", 60);
            body.put("concurrency", concurrency);
            Profile profile = profileStart();
            long start = System.nanoTime();
            HttpResponse<java.util.stream.Stream<String>> response = HTTP.send(HttpRequest.newBuilder(URI.create(deviceService
                    + "/api/v1/devices/commands")).timeout(Duration.ofMinutes(5)).header("Authorization", admin())
                    .header("Content-Type", "application/json").header("Accept", "application/x-ndjson")
                    .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))).build(), HttpResponse.BodyHandlers.ofLines());
            require(response.statusCode() == 200, "fan-out answered " + response.statusCode());
            List<Long> durations = new ArrayList<>();
            int ok = 0;
            for (String line : (Iterable<String>) response.body()::iterator) {
                if (!line.isBlank()) {
                    JsonNode result = JSON.readTree(line);
                    durations.add(result.path("durationMs").asLong());
                    ok += result.path("ok").asBoolean() ? 1 : 0;
                }
            }
            double wall = (System.nanoTime() - start) / 1e9;
            String profiled = profile.finish(durations.size());
            durations.sort(Long::compare);
            System.out.printf("%-18s %d ok of %d: %.2f s, %.0f results/s, per device p50 %d ms p99 %d ms; load %s%n%s", round, ok,
                    durations.size(), wall, durations.size() / wall, percentile(durations, 50), percentile(durations, 99), loadAverage(),
                    profiled);
            return new Round(wall, durations.size());
        }

        private Profile profileStart() throws Exception {
            infra.queryAsSuperuser("SELECT pg_stat_statements_reset()");
            infra.redisCli(redisMasterPort(), "CONFIG", "RESETSTAT");
            Map<String, Double> cpu = new LinkedHashMap<>();
            for (Map.Entry<String, List<Long>> process : processes.entrySet()) {
                cpu.put(process.getKey(), cpuSeconds(process.getValue()));
            }
            List<Double> recorded = new ArrayList<>();
            for (String replica : replicaManagement) {
                recorded.add(metric(replica, "task_device_results_total{", null));
            }
            return new Profile(this, cpu, fanoutCalls(), recorded);
        }

        private int redisMasterPort() {
            String master = infra.redisMaster();
            return Integer.parseInt(master.substring(master.lastIndexOf(':') + 1));
        }

        /** Calls the device service answered on its fan-out path so far (its HTTP server metric). */
        private double fanoutCalls() throws Exception {
            return metric(deviceManagement, "http_server_requests_seconds_count{", "uri=\"/api/v1/devices/commands\"");
        }

        /** The sum of a Prometheus metric's series (those whose line contains {@code label}, if given). */
        static double metric(String management, String prefix, String label) throws Exception {
            double sum = 0;
            for (String line : get(management + "/metrics", null).body().split("\n")) {
                if (line.startsWith(prefix) && (label == null || line.contains(label))) {
                    sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                }
            }
            return sum;
        }
    }

    /** What a round cost: CPU per process, SQL statements, Redis publishes and fan-out calls, each per result. */
    private record Profile(Bench bench, Map<String, Double> cpuBefore, double fanoutCallsBefore, List<Double> recordedBefore) {

        String finish(int results) throws Exception {
            StringBuilder out = new StringBuilder("    CPU per result:");
            double total = 0;
            for (Map.Entry<String, List<Long>> process : bench.processes().entrySet()) {
                double spent = cpuSeconds(process.getValue()) - cpuBefore.get(process.getKey());
                total += spent;
                out.append(String.format(" %s %.2f ms,", process.getKey(), 1000 * spent / results));
            }
            out.append(String.format(" all %.2f ms (%.1f CPU s)%n", 1000 * total / results, total));
            List<Map<String, String>> statements = bench.infra().queryAsSuperuser("SELECT calls, rows, round(total_exec_time::numeric, 1)"
                    + " AS ms, left(regexp_replace(query, '\\s+', ' ', 'g'), 110) AS query FROM pg_stat_statements"
                    + " WHERE query NOT LIKE '%pg_stat_statements%' ORDER BY calls DESC");
            long calls = 0;
            long taskCalls = 0;
            for (Map<String, String> statement : statements) {
                long n = Long.parseLong(statement.get("calls"));
                calls += n;
                taskCalls += statement.get("query").contains("task.") ? n : 0;
            }
            out.append(String.format("    SQL statements per result: %.2f (%.2f on task tables, the rest BEGIN/COMMIT and other"
                    + " services'); the most frequent:%n", (double) calls / results, (double) taskCalls / results));
            for (Map<String, String> statement : statements.subList(0, Math.min(14, statements.size()))) {
                out.append(String.format("      %6.3f/result %7s ms  %s%n", Double.parseDouble(statement.get("calls")) / results,
                        statement.get("ms"), statement.get("query")));
            }
            String stats = bench.infra().redisCli(bench.redisMasterPort(), "INFO", "commandstats");
            long publishes = 0;
            for (String line : stats.split("\n")) {
                if (line.startsWith("cmdstat_publish:calls=")) {
                    publishes = Long.parseLong(line.substring("cmdstat_publish:calls=".length(), line.indexOf(',')));
                }
            }
            double fanouts = bench.fanoutCalls() - fanoutCallsBefore;
            out.append(String.format("    Redis PUBLISH per result: %.3f; fan-out calls to the device service: %.0f (%.1f devices each);"
                    + " results recorded by", (double) publishes / results, fanouts, results / Math.max(1, fanouts)));
            for (int i = 0; i < recordedBefore.size(); i++) {
                out.append(String.format(" task-%c %.0f", 'a' + i, Bench.metric(bench.replicaManagement().get(i), "task_device_results_total{",
                        null) - recordedBefore.get(i)));
            }
            out.append(String.format("%n"));
            return out.toString();
        }
    }
}
