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
 * Fan-out benchmark of the device service (run by bench/fanout.sh): the device lab with N devices in its own JVM, the
 * packaged device service in another, real PostgreSQL/PgBouncer/Redis from the harness. Runs one command on every device
 * through POST /api/v1/devices/commands twice (cold: new SSH sessions; warm: reused) and prints the figures.
 */
public final class FanoutBench {

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
            // health is on the management interface, never on the API port
            int managementPort = freePort();
            env.put("MANAGEMENT_PORT", Integer.toString(managementPort));
            env.put("HTTP_HOST", "127.0.0.1");
            env.put("LOG_FORMAT", "console");
            env.put("SSH_MAX_CONCURRENT_DEVICES", Integer.toString(Math.max(concurrency, 256)));
            env.put("SSH_FANOUT_CONCURRENCY", Integer.toString(concurrency));
            // short idle timeout: after the JIT warm-up round the sessions are dropped, so "cold" measures new sessions
            env.put("SSH_SESSION_IDLE_TIMEOUT", "3s");
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
            ObjectNode request = JSON.createObjectNode();
            ids.forEach(request.putArray("deviceIds")::add);
            request.putArray("commands").add("show version");
            request.put("concurrency", concurrency);
            request.put("timeoutSeconds", 60);
            String body = JSON.writeValueAsString(request);

            System.out.printf("fan-out benchmark: %d lab devices, one command each (show version), concurrency %d%n", devices,
                    concurrency);
            System.out.printf("%-6s %9s %9s %9s %7s %11s %11s%n", "run", "wall s", "p50 ms", "p99 ms", "errors", "svc cpu s",
                    "lab cpu s");
            // jit-warmup: new JVMs and new sessions; then a pause so the sessions expire; cold: new sessions in warm JVMs;
            // warm: the sessions of the cold run reused
            for (String run : List.of("jit-warmup", "cold", "warm-1", "warm-2")) {
                if (run.equals("cold")) {
                    Thread.sleep(10_000);
                }
                double serviceCpu = cpuSeconds(service.pid());
                double labCpu = cpuSeconds(lab.pid());
                long start = System.nanoTime();
                HttpResponse<String> answer = post(base + "/api/v1/devices/commands", token, body);
                double wall = (System.nanoTime() - start) / 1e9;
                require(answer.statusCode() == 200, run + " run failed: " + answer.statusCode() + " " + answer.body());
                List<Long> durations = new ArrayList<>();
                int errors = 0;
                for (JsonNode result : JSON.readTree(answer.body())) {
                    durations.add(result.get("durationMs").asLong());
                    if (!result.get("ok").asBoolean()) {
                        errors++;
                    }
                }
                durations.sort(Long::compare);
                System.out.printf("%-6s %9.2f %9d %9d %7d %11.2f %11.2f%n", run, wall, percentile(durations, 50),
                        percentile(durations, 99), errors, cpuSeconds(service.pid()) - serviceCpu, cpuSeconds(lab.pid()) - labCpu);
            }
            System.out.println("goal on a 2-core machine: cold <= 5 s, warm <= 1 s, 0 errors");
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
