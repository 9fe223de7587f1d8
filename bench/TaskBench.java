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
 * replicas, each in its own JVM, real PostgreSQL/PgBouncer/Redis from the harness. Runs one task (one command on every device)
 * three times (JIT warm-up, new SSH sessions, reused sessions) and prints for each the wall time from submit to final state,
 * device results recorded per second, p50/p99 per device and the CPU each process spent.
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
            System.out.printf("task benchmark: %d lab devices, one command each, concurrency %d, two task-service replicas%n", devices,
                    concurrency);
            List<Process> measured = List.of(service, processes.get(processes.size() - 2), processes.get(processes.size() - 1));
            // a fresh JVM spends its first round compiling: that round is reported apart; then the SSH sessions are let go
            // (idle timeout) so "cold" pays a new session per device, and "warm" reuses the sessions cold opened
            runRound("jit-warmup", replicas, ids, concurrency, measured, lab);
            Thread.sleep(SESSION_IDLE.plusSeconds(2).toMillis());
            runRound("cold sessions", replicas, ids, concurrency, measured, lab);
            runRound("warm sessions", replicas, ids, concurrency, measured, lab);
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

    /** One task over every device: submitted to one replica, watched on the other; prints its figures and the CPU spent. */
    private static void runRound(String round, List<String> replicas, List<String> ids, int concurrency,
            List<Process> measured, Process lab) throws Exception {
        ObjectNode task = JSON.createObjectNode();
        task.put("name", "bench " + round);
        task.putArray("commands").add("show version");
        ids.forEach(task.putObject("target").putArray("deviceIds")::add);
        task.put("concurrency", concurrency);
        task.put("perDeviceTimeoutSeconds", 60);
        double[] cpuBefore = new double[measured.size()];
        for (int i = 0; i < measured.size(); i++) {
            cpuBefore[i] = cpuSeconds(measured.get(i).pid());
        }
        double labBefore = cpuSeconds(lab.pid());
        long start = System.nanoTime();
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
        double wall = (System.nanoTime() - start) / 1e9;
        List<Long> durations = new ArrayList<>();
        for (int page = 0; page * 1000 < ids.size(); page++) {
            for (JsonNode row : JSON.readTree(get(replicas.get(0) + "/api/v1/tasks/" + id + "/results?size=1000&page=" + page,
                    InternalTokens.bearer("bench", "admin")).body())) {
                durations.add(row.path("durationMs").asLong());
            }
        }
        durations.sort(Long::compare);
        String[] names = {"device-service", "task-a", "task-b"};
        StringBuilder cpu = new StringBuilder();
        for (int i = 0; i < measured.size(); i++) {
            cpu.append(String.format("%s %.1f s, ", names[i], cpuSeconds(measured.get(i).pid()) - cpuBefore[i]));
        }
        cpu.append(String.format("lab %.1f s", cpuSeconds(lab.pid()) - labBefore));
        System.out.printf("%-14s %s %s: %.2f s submit -> final, %.0f results/s, per device p50 %d ms p99 %d ms; CPU %s%n", round,
                state.get("state").asText(), state.get("counts"), wall, ids.size() / wall, percentile(durations, 50),
                percentile(durations, 99), cpu);
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
