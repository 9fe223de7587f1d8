import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.junoscommander.infra.InfraHarness;
import io.junoscommander.infra.testing.InternalTokens;
import java.net.ServerSocket;
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

    public static void main(String[] args) throws Exception {
        Path root = Path.of(args[0]).toAbsolutePath();
        int devices = Integer.parseInt(args[1]);
        int concurrency = Integer.parseInt(args[2]);
        Path work = Files.createTempDirectory(Path.of("/tmp"), "jc-bench");
        List<Process> processes = new ArrayList<>();
        try {
            InfraHarness infra = InfraHarness.startForTests("bench");
            // statement counts per round: pg_stat_statements must be loaded at server start
            infra.setPostgresParameter("shared_preload_libraries", "pg_stat_statements");
            infra.killPostgres();
            infra.startPostgres();
            infra.queryAsSuperuser("CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
            Path inventory = work.resolve("inventory.json");
            int port = freePort();
            Map<String, String> env = new HashMap<>(infra.serviceEnvironment());
            env.putAll(InternalTokens.configuration());
            byte[] key = new byte[32];
            new SecureRandom().nextBytes(key);
            env.put("CREDENTIAL_KEYS", "bench:" + Base64.getEncoder().encodeToString(key));
            env.put("HTTP_PORT", Integer.toString(port));
            // health is on the management interface, never on the API port
            int managementPort = freePort();
            env.put("MANAGEMENT_PORT", Integer.toString(managementPort));
            env.put("HTTP_HOST", "127.0.0.1");
            env.put("LOG_FORMAT", "console");
            env.put("SSH_MAX_CONCURRENT_DEVICES", Integer.toString(Math.max(concurrency, 256)));
            env.put("SSH_FANOUT_CONCURRENCY", Integer.toString(concurrency));
            env.put("SSH_SESSION_IDLE_TIMEOUT", SESSION_IDLE.toSeconds() + "s");
            Process service = start(processes, work.resolve("device-service.log"), env, "java", "-jar",
                    root.resolve("device-service/target/quarkus-app/quarkus-run.jar").toString());
            String base = "http://127.0.0.1:" + port;
            String management = "http://127.0.0.1:" + managementPort;
            await("device service ready", () -> get(management + "/health/ready", null).statusCode() == 200);
            // the lab takes free ports for its devices: start it once the service holds its own port
            Process lab = start(processes, work.resolve("lab.log"), Map.of(), "java", "-Xmx1g", "-jar",
                    jar(root.resolve("device-lab/target"), "device-lab-"), "--devices", Integer.toString(devices), "--base-port", "0",
                    "--inventory", inventory.toString());
            await("device lab inventory", () -> Files.exists(inventory));

            String token = InternalTokens.bearer("bench", "admin");
            String credential = JSON.readTree(post(base + "/api/v1/credentials", token,
                    "{\"name\":\"bench-lab\",\"username\":\"lab\",\"password\":\"lab\"}").body()).get("id").asText();
            ArrayNode importBody = JSON.createArrayNode();
            for (JsonNode device : JSON.readTree(Files.readString(inventory))) {
                ObjectNode entry = importBody.addObject();
                entry.put("name", device.get("name").asText());
                entry.put("host", device.get("host").asText());
                entry.put("port", device.get("port").asInt());
                entry.put("platform", device.get("platform").asText());
                entry.put("credentialId", credential);
            }
            HttpResponse<String> imported = post(base + "/api/v1/devices/import", token, JSON.writeValueAsString(importBody));
            require(imported.statusCode() == 200, "import failed: " + imported.body());
            List<String> ids = new ArrayList<>();
            for (int page = 0; ids.size() < devices; page++) {
                JsonNode items = JSON.readTree(get(base + "/api/v1/devices?size=1000&page=" + page, token).body()).get("items");
                require(items.size() > 0, "fewer devices listed than imported");
                items.forEach(item -> ids.add(item.get("id").asText()));
            }
            Map<String, String> taskEnv = new HashMap<>(env);
            taskEnv.put("DEVICE_SERVICE_URL", base);
            taskEnv.put("TASK_REPLICA_CAPACITY", Integer.toString(concurrency));
            taskEnv.put("TASK_POLL_INTERVAL", "1s");
            List<String> replicas = new ArrayList<>();
            List<String> replicaManagement = new ArrayList<>();
            for (String name : List.of("task-a", "task-b")) {
                int replicaPort = freePort();
                Map<String, String> replicaEnv = new HashMap<>(taskEnv);
                replicaEnv.put("HTTP_PORT", Integer.toString(replicaPort));
                int replicaManagementPort = freePort();
                replicaEnv.put("MANAGEMENT_PORT", Integer.toString(replicaManagementPort));
                replicaManagement.add("http://127.0.0.1:" + replicaManagementPort);
                replicaEnv.put("INSTANCE_ID", name);
                start(processes, work.resolve(name + ".log"), replicaEnv, "java", "-jar",
                        root.resolve("task-service/target/quarkus-app/quarkus-run.jar").toString());
                replicas.add("http://127.0.0.1:" + replicaPort);
            }
            for (String replica : replicaManagement) {
                await(replica + " ready", () -> get(replica + "/health/ready", null).statusCode() == 200);
            }
            System.out.printf("task benchmark: %d lab devices, one command each, concurrency %d, two task-service replicas; load %s%n",
                    devices, concurrency, loadAverage());
            Map<String, List<Long>> measured = new LinkedHashMap<>();
            measured.put("task-a", List.of(processes.get(processes.size() - 2).pid()));
            measured.put("task-b", List.of(processes.get(processes.size() - 1).pid()));
            measured.put("device-service", List.of(service.pid()));
            measured.put("lab", List.of(lab.pid()));
            measured.putAll(infraProcesses(infra));
            Bench bench = new Bench(infra, base, management, replicas, replicaManagement, ids, concurrency, measured);
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
            for (Process process : processes) {
                process.destroy();
            }
            for (Process process : processes) {
                process.waitFor();
            }
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
            HttpResponse<String> submitted = post(replicas.get(0) + "/api/v1/tasks", InternalTokens.bearer("bench", "admin"),
                    JSON.writeValueAsString(task));
            require(submitted.statusCode() == 202, "submit failed: " + submitted.body());
            String id = JSON.readTree(submitted.body()).get("id").asText();
            JsonNode state;
            while (true) {
                HttpResponse<String> polled = get(replicas.get(1) + "/api/v1/tasks/" + id, InternalTokens.bearer("bench", "admin"));
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
                        InternalTokens.bearer("bench", "admin")).body())) {
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
                    + "/api/v1/devices/commands")).timeout(Duration.ofMinutes(5)).header("Authorization", InternalTokens.bearer("bench",
                    "admin")).header("Content-Type", "application/json").header("Accept", "application/x-ndjson")
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

    /** PostgreSQL (every backend), PgBouncer and Redis (servers and Sentinels) of the harness, by the pids its status shows. */
    private static Map<String, List<Long>> infraProcesses(InfraHarness infra) {
        Map<String, List<Long>> found = new LinkedHashMap<>();
        java.util.regex.Pattern line = java.util.regex.Pattern.compile("^(\\S+)\\s.*running \\(pid (\\d+)\\)");
        for (String status : infra.status()) {
            java.util.regex.Matcher matcher = line.matcher(status);
            if (matcher.find()) {
                String name = matcher.group(1).startsWith("redis") ? "redis" : matcher.group(1);
                found.computeIfAbsent(name, key -> new ArrayList<>()).add(Long.parseLong(matcher.group(2)));
            }
        }
        return found;
    }

    private static String loadAverage() throws Exception {
        return String.join(" ", List.of(Files.readString(Path.of("/proc/loadavg")).split(" ")).subList(0, 3));
    }

    private static long percentile(List<Long> sorted, int p) {
        return sorted.isEmpty() ? 0 : sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p / 100.0 * sorted.size()) - 1));
    }

    /**
     * User plus system CPU, in seconds, of these processes, their live descendants (PostgreSQL's backends) and the children
     * they reaped (Linux clock ticks are 1/100 s).
     */
    private static double cpuSeconds(List<Long> pids) throws Exception {
        double total = 0;
        for (long pid : pids) {
            List<Long> all = new ArrayList<>(List.of(pid));
            ProcessHandle.of(pid).ifPresent(handle -> handle.descendants().forEach(child -> all.add(child.pid())));
            for (long one : all) {
                try {
                    String stat = Files.readString(Path.of("/proc/" + one + "/stat"));
                    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    total += (Long.parseLong(fields[11]) + Long.parseLong(fields[12]) + (one == pid
                            ? Long.parseLong(fields[13]) + Long.parseLong(fields[14]) : 0)) / 100.0;
                } catch (java.io.IOException gone) {
                    // a backend that ended in between: its time is in its parent's reaped children
                }
            }
        }
        return total;
    }

    private static Process start(List<Process> processes, Path log, Map<String, String> env, String... command) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().putAll(env);
        Process process = builder.start();
        processes.add(process);
        return process;
    }

    private static String jar(Path folder, String prefix) throws Exception {
        try (var files = Files.list(folder)) {
            return files.map(Path::toString).filter(name -> name.contains(prefix) && name.endsWith(".jar") && !name.contains("original"))
                    .findFirst().orElseThrow(() -> new IllegalStateException("no " + prefix + "*.jar in " + folder + "; build first"));
        }
    }

    private static int freePort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private interface Check {
        boolean ok() throws Exception;
    }

    private static void await(String what, Check check) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (true) {
            try {
                if (check.ok()) {
                    return;
                }
            } catch (java.io.IOException notYet) {
                // not listening yet
            }
            require(System.nanoTime() < deadline, "timed out waiting for " + what);
            Thread.sleep(200);
        }
    }

    private static HttpResponse<String> get(String url, String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofMinutes(5)).GET();
        if (token != null) {
            request.header("Authorization", token);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> post(String url, String token, String json) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofMinutes(5)).header("Authorization", token)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static void require(boolean condition, String message) {
        if (!condition) {
            throw new IllegalStateException(message);
        }
    }
}
