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
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * End-to-end task benchmark (run by bench/tasks.sh): the device lab with N devices, the device service and two task-service
 * replicas, each in its own JVM, real PostgreSQL/PgBouncer/Redis from the harness. Submits one task (one command on every
 * device) and prints wall time from submit to final state, device results recorded per second and p50/p99 per device.
 */
public final class TaskBench {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    public static void main(String[] args) throws Exception {
        Path root = Path.of(args[0]).toAbsolutePath();
        int devices = Integer.parseInt(args[1]);
        int concurrency = Integer.parseInt(args[2]);
        Path work = Files.createTempDirectory(Path.of("/tmp"), "jc-bench");
        List<Process> processes = new ArrayList<>();
        try {
            InfraHarness infra = InfraHarness.startForTests("bench");
            Path inventory = work.resolve("inventory.json");
            int port = freePort();
            Map<String, String> env = new HashMap<>(infra.serviceEnvironment());
            env.putAll(InternalTokens.configuration());
            byte[] key = new byte[32];
            new SecureRandom().nextBytes(key);
            env.put("CREDENTIAL_KEYS", "bench:" + Base64.getEncoder().encodeToString(key));
            env.put("HTTP_PORT", Integer.toString(port));
            env.put("HTTP_HOST", "127.0.0.1");
            env.put("LOG_FORMAT", "console");
            env.put("SSH_MAX_CONCURRENT_DEVICES", Integer.toString(Math.max(concurrency, 256)));
            env.put("SSH_FANOUT_CONCURRENCY", Integer.toString(concurrency));
            // short idle timeout: after the JIT warm-up round the sessions are dropped, so "cold" measures new sessions
            env.put("SSH_SESSION_IDLE_TIMEOUT", "3s");
            Process service = start(processes, work.resolve("device-service.log"), env, "java", "-jar",
                    root.resolve("device-service/target/quarkus-app/quarkus-run.jar").toString());
            String base = "http://127.0.0.1:" + port;
            await("device service ready", () -> get(base + "/health/ready", null).statusCode() == 200);
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
            taskEnv.put("TASK_POLL_INTERVAL", "200ms");
            List<String> replicas = new ArrayList<>();
            for (String name : List.of("task-a", "task-b")) {
                int replicaPort = freePort();
                Map<String, String> replicaEnv = new HashMap<>(taskEnv);
                replicaEnv.put("HTTP_PORT", Integer.toString(replicaPort));
                replicaEnv.put("INSTANCE_ID", name);
                start(processes, work.resolve(name + ".log"), replicaEnv, "java", "-jar",
                        root.resolve("task-service/target/quarkus-app/quarkus-run.jar").toString());
                replicas.add("http://127.0.0.1:" + replicaPort);
            }
            for (String replica : replicas) {
                await(replica + " ready", () -> get(replica + "/health/ready", null).statusCode() == 200);
            }
            ObjectNode task = JSON.createObjectNode();
            task.put("name", "bench");
            task.putArray("commands").add("show version");
            ids.forEach(task.putObject("target").putArray("deviceIds")::add);
            task.put("concurrency", concurrency);
            task.put("perDeviceTimeoutSeconds", 60);
            long start = System.nanoTime();
            HttpResponse<String> submitted = post(replicas.get(0) + "/api/v1/tasks", token, JSON.writeValueAsString(task));
            require(submitted.statusCode() == 202, "submit failed: " + submitted.body());
            String id = JSON.readTree(submitted.body()).get("id").asText();
            JsonNode state;
            while (true) {
                state = JSON.readTree(get(replicas.get(1) + "/api/v1/tasks/" + id, token).body());
                if (List.of("SUCCEEDED", "FAILED", "PARTIAL", "CANCELLED").contains(state.get("state").asText())) {
                    break;
                }
                Thread.sleep(50);
            }
            double wall = (System.nanoTime() - start) / 1e9;
            List<Long> durations = new ArrayList<>();
            for (int page = 0; page * 1000 < devices; page++) {
                for (JsonNode row : JSON.readTree(get(replicas.get(0) + "/api/v1/tasks/" + id + "/results?size=1000&page=" + page,
                        token).body())) {
                    durations.add(row.path("durationMs").asLong());
                }
            }
            durations.sort(Long::compare);
            System.out.printf("task benchmark: %d lab devices, one command each, concurrency %d, two task-service replicas%n", devices,
                    concurrency);
            System.out.printf("final state %s, counts %s%n", state.get("state").asText(), state.get("counts"));
            System.out.printf("wall time submit -> final state: %.2f s; results recorded per second: %.0f; per device p50 %d ms,"
                    + " p99 %d ms%n", wall, devices / wall, percentile(durations, 50), percentile(durations, 99));
            System.out.println("goal on a 2-core machine: >= 500 device results recorded per second");
        } finally {
            for (Process process : processes) {
                process.destroy();
            }
            for (Process process : processes) {
                process.waitFor();
            }
        }
    }

    private static long percentile(List<Long> sorted, int p) {
        return sorted.isEmpty() ? 0 : sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p / 100.0 * sorted.size()) - 1));
    }

    /** User plus system CPU of a process from /proc, in seconds (Linux clock ticks are 1/100 s). */
    private static double cpuSeconds(long pid) throws Exception {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / 100.0;
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
