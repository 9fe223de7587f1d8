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
 * through POST /api/v1/devices/commands: first after start (cold JIT, new SSH sessions), cold (new sessions in a warm
 * JVM), then three warm rounds (the sessions reused), and prints wall time, CPU per device of the service and of the lab
 * and ratios within the run. {@code SERVICE_JAVA_OPTS} (e.g. a flight recording) is passed to the service's JVM.
 */
public final class FanoutBench {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration SESSION_IDLE = Duration.ofSeconds(25);
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
            // sessions idle this long are dropped: the pause after the first round outlasts it (so "cold" opens new
            // sessions), a round on a loaded machine does not (so the warm rounds reuse every session of the cold one)
            env.put("SSH_SESSION_IDLE_TIMEOUT", SESSION_IDLE.toSeconds() + "s");
            List<String> serviceCommand = new ArrayList<>(List.of("java"));
            String javaOpts = System.getenv().getOrDefault("SERVICE_JAVA_OPTS", "");
            if (!javaOpts.isBlank()) {
                serviceCommand.addAll(List.of(javaOpts.trim().split("\\s+")));
            }
            // SERVICE_JAR: another build of the service (e.g. the main branch's) against the same lab and bench, for a before/after
            String serviceJar = System.getenv().getOrDefault("SERVICE_JAR",
                    root.resolve("device-service/target/quarkus-app/quarkus-run.jar").toString());
            serviceCommand.addAll(List.of("-jar", serviceJar));
            Process service = start(processes, work.resolve("device-service.log"), env, serviceCommand.toArray(String[]::new));
            String base = "http://127.0.0.1:" + port;
            String management = "http://127.0.0.1:" + managementPort;
            await("device service ready", () -> get(management + "/health/ready", null).statusCode() == 200);
            // the lab takes free ports for its devices: start it once the service holds its own port
            Process lab = start(processes, work.resolve("lab.log"), Map.of(), "java", "-Xmx1g", "-jar",
                    jar(root.resolve("device-lab/target"), "device-lab-"), "--devices", Integer.toString(devices), "--base-port", "0",
                    // the host keys a Junos device has: which one a session uses is the client's choice
                    "--extra-host-keys", "ed25519,rsa",
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

            System.out.printf("fan-out benchmark: %d lab devices, one command each (show version), concurrency %d; load average %s%n",
                    devices, concurrency, loadAverage());
            System.out.printf("%-7s %8s %8s %8s %7s %10s %10s %10s %10s %8s %8s%n", "run", "wall s", "p50 ms", "p99 ms", "errors",
                    "svc cpu s", "lab cpu s", "svc ms/dev", "lab ms/dev", "svc/lab", "vs cold");
            // first: the first call after start (cold JIT, new sessions); then a pause so the sessions expire; cold: new
            // sessions in warm JVMs; warm: the sessions of the cold run reused
            double coldWall = 0;
            for (String run : List.of("first", "cold", "warm-1", "warm-2", "warm-3")) {
                if (run.equals("cold")) {
                    // the evictor looks every 5 s
                    Thread.sleep(SESSION_IDLE.plusSeconds(7).toMillis());
                }
                double serviceCpu = cpuSeconds(service.pid());
                double labCpu = cpuSeconds(lab.pid());
                long start = System.nanoTime();
                // a token per round: the harness's tokens live 60 s, the pause and a slow round can outlast one
                HttpResponse<String> answer = post(base + "/api/v1/devices/commands", InternalTokens.bearer("bench", "admin"), body);
                double wall = (System.nanoTime() - start) / 1e9;
                require(answer.statusCode() == 200, run + " run failed: " + answer.statusCode() + " " + answer.body());
                List<Long> durations = new ArrayList<>();
                int errors = 0;
                Map<String, Integer> errorKinds = new java.util.TreeMap<>();
                for (JsonNode result : JSON.readTree(answer.body())) {
                    durations.add(result.get("durationMs").asLong());
                    if (!result.get("ok").asBoolean()) {
                        errors++;
                        errorKinds.merge(result.path("errorKind").asText("?") + ": " + result.path("error").asText(""), 1, Integer::sum);
                    }
                }
                durations.sort(Long::compare);
                double serviceSpent = cpuSeconds(service.pid()) - serviceCpu;
                double labSpent = cpuSeconds(lab.pid()) - labCpu;
                if (run.equals("cold")) {
                    coldWall = wall;
                }
                System.out.printf("%-7s %8.2f %8d %8d %7d %10.2f %10.2f %10.2f %10.2f %8.2f %8s%n", run, wall, percentile(durations, 50),
                        percentile(durations, 99), errors, serviceSpent, labSpent, serviceSpent * 1000 / devices,
                        labSpent * 1000 / devices, labSpent == 0 ? 0 : serviceSpent / labSpent,
                        coldWall == 0 ? "-" : String.format("%.2f", wall / coldWall));
                errorKinds.forEach((kind, count) -> System.out.printf("        %d x %s%n", count, kind));
            }
            System.out.printf("load average after: %s%n", loadAverage());
            System.out.println("goals (issue 13, 2 cores, 1000 devices): first <= 4 s, cold <= 2.5 s, every warm round <= 0.5 s, 0 errors");
        } finally {
            for (Process process : processes) {
                process.destroy();
            }
            for (Process process : processes) {
                process.waitFor();
            }
        }
    }

    private static String loadAverage() throws Exception {
        String[] fields = Files.readString(Path.of("/proc/loadavg")).split(" ");
        return fields[0] + " " + fields[1] + " " + fields[2];
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
