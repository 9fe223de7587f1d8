package io.junoscommander.task;

import static io.restassured.RestAssured.given;

import io.junoscommander.infra.testing.InternalTokens;
import io.junoscommander.infra.testing.SharedInfra;
import io.junoscommander.lab.DeviceLab;
import io.junoscommander.lab.LabConfig;
import io.junoscommander.lab.LabDevice;
import io.restassured.specification.RequestSpecification;
import java.io.IOException;
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
 * The deployment shape of the task tests, built once per test JVM: real infrastructure, the device lab, the packaged
 * device service, and two replicas of the packaged task service (each its own JVM, so one can be killed with SIGKILL).
 */
final class TaskCluster {

    static final int LAB_DEVICES = 220;

    private static TaskCluster cluster;

    final DeviceLab lab;
    final String deviceService;
    final Map<String, String> replicaUrls = new HashMap<>();
    /** Each process's management interface (health, metrics), by replica name and {@code device-service}. */
    final Map<String, String> managementUrls = new HashMap<>();
    final Map<String, Process> replicas = new HashMap<>();
    final Map<String, String> deviceIds = new HashMap<>();
    private final Map<String, String> environment = new HashMap<>();
    private final Path logs;
    private final Path root;

    static synchronized TaskCluster get() {
        if (cluster == null) {
            try {
                cluster = new TaskCluster();
            } catch (Exception e) {
                throw new IllegalStateException("task cluster did not start: " + e.getMessage(), e);
            }
        }
        return cluster;
    }

    private TaskCluster() throws Exception {
        // first: a cluster that fails to start half-way must not leave its started replicas running after the tests
        Runtime.getRuntime().addShutdownHook(new Thread(this::stop));
        root = Path.of(System.getProperty("user.dir")).getParent();
        logs = Files.createDirectories(Path.of(System.getProperty("user.dir"), "target", "cluster-logs"));
        environment.putAll(SharedInfra.harness().serviceEnvironment());
        environment.putAll(InternalTokens.configuration());
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        environment.put("CREDENTIAL_KEYS", "it:" + Base64.getEncoder().encodeToString(key));
        environment.put("HTTP_HOST", "127.0.0.1");
        environment.put("LOG_FORMAT", "console");
        environment.put("SHUTDOWN_DELAY", "0s");
        // no session reuse: the lab's concurrent sessions are then exactly the devices in flight
        environment.put("SSH_SESSION_IDLE_TIMEOUT", "0s");
        environment.put("SSH_COMMAND_TIMEOUT", "10s");
        environment.put("TASK_LEASE", "5s");
        environment.put("TASK_LEASE_RENEW", "1s");
        environment.put("TASK_POLL_INTERVAL", "1s");
        environment.put("TASK_RETRY_DELAY", "1s");

        int devicePort = freePort();
        deviceService = "http://127.0.0.1:" + devicePort;
        Map<String, String> deviceEnv = new HashMap<>(environment);
        deviceEnv.put("HTTP_PORT", Integer.toString(devicePort));
        int deviceManagementPort = freePort();
        deviceEnv.put("MANAGEMENT_PORT", Integer.toString(deviceManagementPort));
        managementUrls.put("device-service", "http://127.0.0.1:" + deviceManagementPort);
        deviceEnv.put("INSTANCE_ID", "device-it");
        replicas.put("device-service", start("device-service", root.resolve("device-service/target/quarkus-app/quarkus-run.jar"),
                deviceEnv));
        environment.put("DEVICE_SERVICE_URL", deviceService);
        startReplica("task-a");
        startReplica("task-b");
        managementUrls.values().forEach(TaskCluster::awaitReady);

        lab = DeviceLab.start(LabConfig.builder().devices(LAB_DEVICES).build());
        registerLab();
    }

    void startReplica(String name) throws IOException {
        startReplica(name, Map.of());
    }

    /** Starts (or restarts, on its ports) a replica with {@code overrides} on top of the cluster's environment. */
    void startReplica(String name, Map<String, String> overrides) throws IOException {
        int port = replicaUrls.containsKey(name) ? URI.create(replicaUrls.get(name)).getPort() : freePort();
        int managementPort = managementUrls.containsKey(name) ? URI.create(managementUrls.get(name)).getPort() : freePort();
        Map<String, String> env = new HashMap<>(environment);
        env.put("HTTP_PORT", Integer.toString(port));
        env.put("MANAGEMENT_PORT", Integer.toString(managementPort));
        managementUrls.put(name, "http://127.0.0.1:" + managementPort);
        env.put("INSTANCE_ID", name);
        env.putAll(overrides);
        replicaUrls.put(name, "http://127.0.0.1:" + port);
        replicas.put(name, start(name, root.resolve("task-service/target/quarkus-app/quarkus-run.jar"), env));
    }

    /** SIGKILL: no shutdown hook, no lease hand-back; its devices come back only when their leases expire. */
    void kill(String name) throws InterruptedException {
        Process process = replicas.get(name);
        process.destroyForcibly();
        process.waitFor();
    }

    /** The console log of a process (replica name or {@code device-service}). */
    Path log(String name) {
        return logs.resolve(name + ".log");
    }

    /** SIGTERM, as Kubernetes ends a pod; returns at once with the process, so a test can watch the graceful shutdown. */
    Process terminate(String name) {
        Process process = replicas.get(name);
        process.destroy();
        return process;
    }

    private Process start(String name, Path jar, Map<String, String> env) throws IOException {
        ProcessBuilder builder = new ProcessBuilder("java", "-Xmx512m", "-jar", jar.toString()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logs.resolve(name + ".log").toFile()));
        builder.environment().putAll(env);
        return builder.start();
    }

    private void registerLab() {
        String credential = admin(deviceService).contentType("application/json").body(Map.of("name", "lab", "username", "lab",
                "password", "lab")).when().post("/api/v1/credentials").then().statusCode(201).extract().path("id");
        List<Map<String, Object>> devices = new ArrayList<>();
        for (LabDevice device : lab.devices()) {
            devices.add(Map.of("name", device.name(), "host", device.host(), "port", device.port(), "platform", "junos", "site", "ams1",
                    "tags", List.of("lab", "core"), "credentialId", credential));
        }
        admin(deviceService).contentType("application/json").body(devices).when().post("/api/v1/devices/import").then().statusCode(200);
        List<Map<String, Object>> items = admin(deviceService).when().get("/api/v1/devices?tag=lab&size=1000").then().statusCode(200)
                .extract().path("items");
        items.forEach(item -> deviceIds.put((String) item.get("name"), (String) item.get("id")));
    }

    static RequestSpecification admin(String baseUrl) {
        return given().baseUri(baseUrl).header("Authorization", InternalTokens.bearer("it-admin", "admin"));
    }

    static RequestSpecification operator(String baseUrl) {
        return given().baseUri(baseUrl).header("Authorization", InternalTokens.bearer("it-operator", "operator"));
    }

    String replica(String name) {
        return replicaUrls.get(name);
    }

    String management(String name) {
        return managementUrls.get(name);
    }

    /** Waits for readiness on a management interface's address. */
    static void awaitReady(String managementUrl) {
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (System.nanoTime() < deadline) {
            try {
                HttpResponse<Void> response = http.send(HttpRequest.newBuilder(URI.create(managementUrl + "/health/ready")).build(),
                        HttpResponse.BodyHandlers.discarding());
                if (response.statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // still starting
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        throw new IllegalStateException(managementUrl + " not ready after 90 s");
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private void stop() {
        replicas.values().forEach(Process::destroy);
        if (lab != null) {
            lab.close();
        }
    }
}
