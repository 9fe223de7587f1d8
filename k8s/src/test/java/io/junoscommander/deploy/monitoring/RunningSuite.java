package io.junoscommander.deploy.monitoring;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.junoscommander.infra.testing.PackagedService;
import io.junoscommander.lab.DeviceLab;
import io.junoscommander.lab.LabConfig;
import io.junoscommander.lab.LabDevice;
import java.io.IOException;
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
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * The four packaged services as an operator runs them, against the harness's PostgreSQL, PgBouncer and Sentinels and two
 * lab devices, with the gateway in front: started in parallel (the gateway last), each ready on its management port.
 * {@link #driveTraffic()} does what a user does through the gateway, so the counters that appear only on first use exist.
 */
final class RunningSuite implements AutoCloseable {

    static final String ADMIN_PASSWORD = "monitoring-test-admin-password";
    static final Set<String> TERMINAL_TASK_STATES = Set.of("SUCCEEDED", "FAILED", "PARTIAL", "CANCELLED");
    static final Set<String> TERMINAL_BACKUP_STATES = Set.of("succeeded", "failed");

    /** About 30 s on an idle two-core machine; generous, as four engineers' builds may share it. */
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(240);

    final DeviceLab lab;
    final Map<String, PackagedService> services = new LinkedHashMap<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final ObjectMapper json = new ObjectMapper();
    private String session;

    RunningSuite() throws Exception {
        lab = DeviceLab.start(LabConfig.builder().devices(2).build());
        Map<String, String> common = new LinkedHashMap<>(PackagedService.testEnvironment());
        // readiness metrics every second, so the test need not wait for the 15 s default
        common.put("READINESS_METRICS_INTERVAL", "1s");
        // a machine shared by several builds can take longer than the default 2 s to answer a probe: no flapping from that
        common.put("HEALTH_TIMEOUT", "10s");
        Path logs = Path.of("target", "monitoring-services");
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        Path backupDir = Files.createTempDirectory("jc-monitoring-backups");
        // the device service's port is chosen first: the task and backup services are started beside it with its address
        int devicePort = PackagedService.freePort();
        String deviceUrl = "http://127.0.0.1:" + devicePort;
        CompletableFuture<PackagedService> device = CompletableFuture.supplyAsync(() -> PackagedService.of("device-service")
                .port(devicePort)
                .environment(common).environment("CREDENTIAL_KEYS", "mon:" + Base64.getEncoder().encodeToString(key))
                .logDirectory(logs).readyTimeout(READY_TIMEOUT).start());
        CompletableFuture<PackagedService> backup = CompletableFuture.supplyAsync(() -> PackagedService.of("backup-service")
                .environment(common).environment(Map.of("BACKUP_DIR", backupDir.toString(), "BACKUP_WAL_ENABLED", "false",
                        "BACKUP_SCHEDULE_FULL", "off", "BACKUP_SCHEDULE_REDIS", "off", "BACKUP_SCHEDULE_CLEANUP", "off",
                        "BACKUP_SCHEDULE_DEVICES", "off", "BACKUP_SCHEDULE_DRILL", "off"))
                .environment("DEVICE_SERVICE_URL", deviceUrl).logDirectory(logs).readyTimeout(READY_TIMEOUT).start());
        CompletableFuture<PackagedService> task = CompletableFuture.supplyAsync(() -> PackagedService.of("task-service")
                .environment(common).environment(Map.of("DEVICE_SERVICE_URL", deviceUrl, "TASK_POLL_INTERVAL", "1s"))
                .logDirectory(logs).readyTimeout(READY_TIMEOUT).start());
        services.put("device-service", device.join());
        services.put("task-service", task.join());
        services.put("backup-service", backup.join());
        Map<String, String> gatewayEnv = new LinkedHashMap<>(common);
        gatewayEnv.put("ADMIN_USERNAME", "admin");
        gatewayEnv.put("ADMIN_PASSWORD", ADMIN_PASSWORD);
        for (String name : List.of("device-service", "task-service", "backup-service")) {
            String variable = name.substring(0, name.indexOf('-')).toUpperCase();
            gatewayEnv.put(variable + "_SERVICE_URL", services.get(name).url());
            gatewayEnv.put(variable + "_SERVICE_HEALTH_URL", services.get(name).managementUrl() + "/health/ready");
        }
        services.put("gateway-service", PackagedService.of("gateway-service").environment(gatewayEnv).logDirectory(logs)
                .readyTimeout(READY_TIMEOUT).start());
    }

    String gateway() {
        return services.get("gateway-service").url();
    }

    /**
     * Through the gateway: login, a credential and devices (two lab devices, one address nothing listens on), the device
     * list, a command on a lab device and one on the dead address (an SSH error), a committed configuration change, a task
     * over the lab devices run to its
     * end, a logical PostgreSQL backup and a device configuration backup run to their end, and a path that does not exist
     * (a 404).
     */
    void driveTraffic() throws Exception {
        JsonNode login = call("POST", "/api/v1/auth/login", Map.of("username", "admin", "password", ADMIN_PASSWORD), 200);
        session = login.path("token").asText();
        LabDevice first = lab.devices().get(0);
        String credential = call("POST", "/api/v1/credentials", Map.of("name", "lab", "username", first.username(), "password",
                first.password()), 201).path("id").asText();
        List<Map<String, Object>> devices = new ArrayList<>();
        for (LabDevice device : lab.devices()) {
            devices.add(Map.of("name", device.name(), "host", device.host(), "port", device.port(), "platform", "junos", "site", "lab",
                    "tags", List.of("lab"), "credentialId", credential));
        }
        devices.add(Map.of("name", "nowhere", "host", "127.0.0.1", "port", PackagedService.freePort(), "platform", "junos", "site",
                "lab", "tags", List.of("dead"), "credentialId", credential));
        call("POST", "/api/v1/devices/import", devices, 200);
        List<String> labIds = new ArrayList<>();
        call("GET", "/api/v1/devices?tag=lab", null, 200).path("items").forEach(item -> labIds.add(item.path("id").asText()));
        String deadId = call("GET", "/api/v1/devices?tag=dead", null, 200).path("items").get(0).path("id").asText();
        call("POST", "/api/v1/devices/" + labIds.get(0) + "/commands", Map.of("commands", List.of("show version")), 200);
        call("POST", "/api/v1/devices/" + deadId + "/commands", Map.of("commands", List.of("show version")), 200);
        // a committed change is published to the backup service's configuration history
        call("POST", "/api/v1/devices/" + labIds.get(1) + "/config", Map.of("lines", List.of("set system ntp server 192.0.2.123"), "mode",
                "commit", "comment", "monitoring test"), 200);

        String taskId = call("POST", "/api/v1/tasks", Map.of("name", "monitoring", "commands", List.of("show version"), "target",
                Map.of("deviceIds", labIds)), 202).path("id").asText();
        String dumpId = call("POST", "/api/v1/backups", Map.of("kind", "postgres-logical"), 202).path("id").asText();
        String configsId = call("POST", "/api/v1/backups", Map.of("kind", "device-configs"), 202).path("id").asText();
        awaitState("/api/v1/tasks/" + taskId, "state", TERMINAL_TASK_STATES, "SUCCEEDED");
        awaitState("/api/v1/backups/" + dumpId, "status", TERMINAL_BACKUP_STATES, "succeeded");
        awaitState("/api/v1/backups/" + configsId, "status", TERMINAL_BACKUP_STATES, "succeeded");
        call("GET", "/api/v1/no-such-thing", null, 404);
    }

    /** Polls until the state is terminal; the traffic is only what it claims to be when it ended as {@code expected}. */
    private void awaitState(String path, String field, Set<String> terminal, String expected) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        String state = "";
        while (System.nanoTime() < deadline) {
            JsonNode answer = call("GET", path, null, 200);
            state = answer.path(field).asText();
            if (terminal.contains(state)) {
                if (!expected.equals(state)) {
                    throw new AssertionError(path + " ended " + state + ": " + answer);
                }
                return;
            }
            Thread.sleep(300);
        }
        throw new AssertionError(path + " still " + state + " after 120 s");
    }

    JsonNode call(String method, String path, Object body, int expectedStatus) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(gateway() + path)).timeout(Duration.ofSeconds(60));
        if (session != null) {
            request.header("Authorization", "Bearer " + session);
        }
        if (body != null) {
            request.header("Content-Type", "application/json")
                    .method(method, HttpRequest.BodyPublishers.ofString(json.writeValueAsString(body)));
        } else {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        }
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != expectedStatus) {
            throw new AssertionError(method + " " + path + ": expected " + expectedStatus + ", got " + response.statusCode() + " "
                    + response.body());
        }
        return response.body().isEmpty() ? json.createObjectNode() : json.readTree(response.body());
    }

    /** {@code /metrics} of one service's management interface. */
    String scrape(String service) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(services.get(service).managementUrl() + "/metrics"))
                .build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new AssertionError(service + " /metrics answered " + response.statusCode());
        }
        return response.body();
    }

    @Override
    public void close() {
        List<PackagedService> running = new ArrayList<>(services.values());
        Collections.reverse(running);
        running.forEach(PackagedService::stop);
        lab.close();
    }
}
