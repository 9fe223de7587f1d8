import static io.junoscommander.infra.testing.BenchSupport.cpuSeconds;
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
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * Fan-out benchmark of the device service (run by bench/fanout.sh): the device lab with N devices in its own JVM, the
 * packaged device service in another, real PostgreSQL/PgBouncer/Redis from the harness. Runs one command on every device
 * through POST /api/v1/devices/commands: first after start (cold JIT, new SSH sessions), cold (new sessions in a warm
 * JVM), then three warm rounds (the sessions reused), and prints wall time, CPU per device of the service and of the lab
 * and ratios within the run. {@code SERVICE_JAVA_OPTS} (e.g. a flight recording) is passed to the service's JVM,
 * {@code SERVICE_JAR} runs another build of the service (say main's) against the same lab, for a before/after.
 */
public final class FanoutBench {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration SESSION_IDLE = Duration.ofSeconds(25);

    public static void main(String[] args) throws Exception {
        Path root = Path.of(args[0]).toAbsolutePath();
        int devices = Integer.parseInt(args[1]);
        int concurrency = Integer.parseInt(args[2]);
        Path work = Files.createTempDirectory(Path.of("/tmp"), "jc-bench");
        PackagedService service = null;
        BenchSupport.Lab lab = null;
        try {
            InfraHarness infra = InfraHarness.startForTests("bench");
            byte[] key = new byte[32];
            new SecureRandom().nextBytes(key);
            String javaOpts = System.getenv().getOrDefault("SERVICE_JAVA_OPTS", "");
            PackagedService.Builder device = PackagedService.of("device-service").environment(PackagedService.testEnvironment(infra))
                    .environment(Map.of("CREDENTIAL_KEYS", "bench:" + Base64.getEncoder().encodeToString(key),
                            "SSH_MAX_CONCURRENT_DEVICES", Integer.toString(Math.max(concurrency, 256)),
                            "SSH_FANOUT_CONCURRENCY", Integer.toString(concurrency),
                            // sessions idle this long are dropped: the pause after the first round outlasts it (so "cold"
                            // opens new sessions), a round on a loaded machine does not (so the warm rounds reuse every
                            // session of the cold one)
                            "SSH_SESSION_IDLE_TIMEOUT", SESSION_IDLE.toSeconds() + "s"))
                    .maxHeap("1g").jvmOptions(javaOpts.isBlank() ? List.of() : List.of(javaOpts.trim().split("\\s+")))
                    .logDirectory(work).readyTimeout(Duration.ofMinutes(2));
            if (System.getenv("SERVICE_JAR") != null) {
                device.jar(Path.of(System.getenv("SERVICE_JAR")));
            }
            service = device.start();
            String base = service.url();
            // the lab takes free ports for its devices: start it once the service holds its own port; it presents the
            // host keys a Junos device has, so which one a session uses is the client's choice
            lab = BenchSupport.startLab(root, work, devices, "--extra-host-keys", "ed25519,rsa");
            List<String> ids = BenchSupport.importLab(base, lab);
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
                HttpResponse<String> answer = post(base + "/api/v1/devices/commands", BenchSupport.admin(), body);
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
            if (lab != null) {
                lab.process().destroy();
                lab.process().waitFor();
            }
            if (service != null) {
                service.stop();
            }
        }
    }
}
