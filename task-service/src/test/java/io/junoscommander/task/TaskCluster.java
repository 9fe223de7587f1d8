package io.junoscommander.task;

import static io.restassured.RestAssured.given;

import io.junoscommander.infra.testing.InternalTokens;
import io.junoscommander.infra.testing.PackagedService;
import io.junoscommander.lab.DeviceLab;
import io.junoscommander.lab.LabConfig;
import io.junoscommander.lab.LabDevice;
import io.restassured.specification.RequestSpecification;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.security.SecureRandom;
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
    private static IllegalStateException failure;

    DeviceLab lab;
    String deviceService;
    final Map<String, String> replicaUrls = new HashMap<>();
    /** Each process's management interface (health, metrics), by replica name and {@code device-service}. */
    final Map<String, String> managementUrls = new HashMap<>();
    final Map<String, PackagedService> replicas = new HashMap<>();
    final Map<String, String> deviceIds = new HashMap<>();
    private final Map<String, String> environment = new HashMap<>();
    private Path logs;

    static synchronized TaskCluster get() {
        if (cluster == null) {
            if (failure != null) {
                // one attempt per JVM: every retry would start (and leave running) another set of processes
                throw failure;
            }
            TaskCluster starting = new TaskCluster();
            try {
                starting.start();
                cluster = starting;
            } catch (Exception e) {
                starting.stop();
                failure = new IllegalStateException("task cluster did not start: " + e.getMessage(), e);
                throw failure;
            }
        }
        return cluster;
    }

    private TaskCluster() {
    }

    private void start() throws Exception {
        // first: a cluster that fails to start half-way must not leave its started replicas running after the tests
        Runtime.getRuntime().addShutdownHook(new Thread(this::stop));
        logs = Files.createDirectories(Path.of(System.getProperty("user.dir"), "target", "cluster-logs"));
        environment.putAll(PackagedService.testEnvironment());
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        environment.put("CREDENTIAL_KEYS", "it:" + Base64.getEncoder().encodeToString(key));
        // no session reuse: the lab's concurrent sessions are then exactly the devices in flight
        environment.put("SSH_SESSION_IDLE_TIMEOUT", "0s");
        environment.put("SSH_COMMAND_TIMEOUT", "10s");
        environment.put("TASK_LEASE", "5s");
        environment.put("TASK_LEASE_RENEW", "1s");
        environment.put("TASK_POLL_INTERVAL", "1s");
        environment.put("TASK_RETRY_DELAY", "1s");

        PackagedService device = service("device-service", "device-it").launch();
        replicas.put("device-service", device);
        deviceService = device.url();
        managementUrls.put("device-service", device.managementUrl());
        environment.put("DEVICE_SERVICE_URL", deviceService);
        startReplica("task-a");
        startReplica("task-b");
        replicas.values().forEach(PackagedService::awaitReady);

        lab = DeviceLab.start(LabConfig.builder().devices(LAB_DEVICES).build());
        registerLab();
    }

    /** Starts a replica without waiting for it; {@link #awaitReady} waits. */
    void startReplica(String name) {
        startReplica(name, Map.of());
    }

    /** Starts (or restarts, on its ports) a replica with {@code overrides} on top of the cluster's environment. */
    void startReplica(String name, Map<String, String> overrides) {
        PackagedService.Builder replica = service("task-service", name).environment(overrides);
        if (replicaUrls.containsKey(name)) {
            replica.port(URI.create(replicaUrls.get(name)).getPort()).managementPort(URI.create(managementUrls.get(name)).getPort());
        }
        PackagedService started = replica.launch();
        replicas.put(name, started);
        replicaUrls.put(name, started.url());
        managementUrls.put(name, started.managementUrl());
    }

    private PackagedService.Builder service(String module, String name) {
        // a 2-core machine busy with other builds can take minutes to start three JVMs at once
        return PackagedService.of(module).name(name).environment(environment).maxHeap("512m").logDirectory(logs)
                .readyTimeout(Duration.ofMinutes(4));
    }

    /** Waits until the process (replica name or {@code device-service}) is ready. */
    void awaitReady(String name) {
        replicas.get(name).awaitReady();
    }

    /** SIGKILL: no shutdown hook, no lease hand-back; its devices come back only when their leases expire. */
    void kill(String name) {
        replicas.get(name).kill();
    }

    /** The console log of a process (replica name or {@code device-service}). */
    Path log(String name) {
        return logs.resolve(name + ".log");
    }

    /** The running process of a replica (or {@code device-service}), e.g. to stop it gracefully. */
    PackagedService process(String name) {
        return replicas.get(name);
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

    private synchronized void stop() {
        replicas.values().forEach(PackagedService::terminate);
        if (lab != null) {
            lab.close();
        }
    }
}
