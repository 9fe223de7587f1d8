package io.junoscommander.infra.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.junoscommander.infra.InfraHarness;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the benchmarks under {@code bench/} share besides {@link PackagedService} and {@link InternalTokens}: the device lab
 * and its devices imported into a device service, the CPU a process spent (from {@code /proc}), percentiles, the load
 * average and plain HTTP calls. The benchmarks are single-file Java programs run with this jar on their class path.
 */
public final class BenchSupport {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final Pattern RUNNING = Pattern.compile("^(\\S+)\\s.*running \\(pid (\\d+)\\)");

    private BenchSupport() {
    }

    /** A running device lab and the inventory file it wrote (name, host, port and platform of every device). */
    public record Lab(Process process, Path inventory) {

        public long pid() {
            return process.pid();
        }
    }

    /**
     * Starts the device lab of this checkout ({@code device-lab/target}) with {@code devices} devices on free ports, its log
     * in {@code work}, and waits for its inventory. {@code options}: more of the lab's command-line options.
     */
    public static Lab startLab(Path root, Path work, int devices, String... options) throws Exception {
        Path inventory = work.resolve("inventory.json");
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx1g",
                "-jar", labJar(root).toString(), "--devices", Integer.toString(devices), "--base-port", "0", "--inventory",
                inventory.toString()));
        command.addAll(List.of(options));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(work.resolve("lab.log").toFile()).start();
        Runtime.getRuntime().addShutdownHook(new Thread(process::destroy));
        await("device lab inventory", () -> Files.exists(inventory));
        return new Lab(process, inventory);
    }

    /** The lab's devices into the device service at {@code base}, with one credential for all; answers their ids. */
    public static List<String> importLab(String base, Lab lab) throws Exception {
        String credential = JSON.readTree(post(base + "/api/v1/credentials", admin(),
                "{\"name\":\"bench-lab\",\"username\":\"lab\",\"password\":\"lab\"}").body()).get("id").asText();
        ArrayNode devices = JSON.createArrayNode();
        for (JsonNode device : JSON.readTree(Files.readString(lab.inventory()))) {
            ObjectNode entry = devices.addObject();
            entry.put("name", device.get("name").asText());
            entry.put("host", device.get("host").asText());
            entry.put("port", device.get("port").asInt());
            entry.put("platform", device.get("platform").asText());
            entry.put("credentialId", credential);
        }
        HttpResponse<String> imported = post(base + "/api/v1/devices/import", admin(), JSON.writeValueAsString(devices));
        require(imported.statusCode() == 200, "import failed: " + imported.body());
        List<String> ids = new ArrayList<>();
        for (int page = 0; ids.size() < devices.size(); page++) {
            JsonNode items = JSON.readTree(get(base + "/api/v1/devices?size=1000&page=" + page, admin()).body()).get("items");
            require(items.size() > 0, "fewer devices listed than imported");
            items.forEach(item -> ids.add(item.get("id").asText()));
        }
        return ids;
    }

    /** An admin's internal token, minted per call: tokens live 60 s and a benchmark runs for minutes. */
    public static String admin() {
        return InternalTokens.bearer("bench", "admin");
    }

    /** PostgreSQL, PgBouncer and Redis (servers and Sentinels together) of the harness, by the pids its status shows. */
    public static Map<String, List<Long>> infraProcesses(InfraHarness infra) {
        Map<String, List<Long>> found = new LinkedHashMap<>();
        for (String status : infra.status()) {
            Matcher matcher = RUNNING.matcher(status);
            if (matcher.find()) {
                String name = matcher.group(1).startsWith("redis") ? "redis" : matcher.group(1);
                found.computeIfAbsent(name, key -> new ArrayList<>()).add(Long.parseLong(matcher.group(2)));
            }
        }
        return found;
    }

    /**
     * User plus system CPU, in seconds, of these processes, their live descendants (PostgreSQL's backends) and the children
     * they reaped (Linux clock ticks are 1/100 s).
     */
    public static double cpuSeconds(List<Long> pids) {
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
                } catch (IOException gone) {
                    // a backend that ended in between: its time is in its parent's reaped children
                }
            }
        }
        return total;
    }

    public static double cpuSeconds(long pid) {
        return cpuSeconds(List.of(pid));
    }

    /** The {@code p}th percentile of sorted values (nearest rank); 0 for none. */
    public static long percentile(List<Long> sorted, int p) {
        return sorted.isEmpty() ? 0 : sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p / 100.0 * sorted.size()) - 1));
    }

    public static String loadAverage() throws IOException {
        return String.join(" ", List.of(Files.readString(Path.of("/proc/loadavg")).split(" ")).subList(0, 3));
    }

    /** A condition polled until it holds; an {@link IOException} counts as "not yet" (nothing listening). */
    public interface Check {
        boolean ok() throws Exception;
    }

    /** Polls {@code check} every 200 ms for up to two minutes. */
    public static void await(String what, Check check) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (true) {
            try {
                if (check.ok()) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            require(System.nanoTime() < deadline, "timed out waiting for " + what);
            Thread.sleep(200);
        }
    }

    public static HttpResponse<String> get(String url, String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofMinutes(5)).GET();
        if (token != null) {
            request.header("Authorization", token);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    public static HttpResponse<String> post(String url, String token, String json) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofMinutes(5)).header("Authorization", token)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    public static void require(boolean condition, String message) {
        if (!condition) {
            throw new IllegalStateException(message);
        }
    }

    private static Path labJar(Path root) throws IOException {
        Path folder = root.resolve("device-lab/target");
        try (var files = Files.list(folder)) {
            return files.filter(file -> file.getFileName().toString().startsWith("device-lab-") && file.toString().endsWith(".jar")
                    && !file.toString().contains("original") && !file.toString().contains("sources")).findFirst()
                    .orElseThrow(() -> new IllegalStateException("no device-lab-*.jar in " + folder + "; build first"));
        }
    }
}
