package io.junoscommander.gateway;

import io.junoscommander.infra.testing.InternalTokens;
import io.junoscommander.infra.testing.SharedInfra;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * Real downstreams for the gateway's tests: the packaged device-service and backup-service ({@code …/target/quarkus-app},
 * built before this module) run as separate processes on free ports with the harness's PostgreSQL/Redis and the test key
 * pair, each with its management interface (health, metrics) on a free port of its own. Task routes point at the device
 * service (it answers their paths with its own 404 after verifying the token).
 * Test-only routes: {@code /api/v1/device-instances} (device-service's instance list), {@code /api/v1/test-stream}
 * (probe endpoints of the gateway process itself, for streaming, SSE, timeouts and retries) and {@code /api/v1/test-dead}
 * (an address nothing listens on, for the circuit breaker).
 */
public class DownstreamTestResource implements QuarkusTestResourceLifecycleManager {

    private static Process device;
    private static int devicePort;
    private static int deviceManagementPort;
    private static Process backup;
    private static int backupPort;
    private static int backupManagementPort;

    @Override
    public synchronized Map<String, String> start() {
        if (device == null || !device.isAlive()) {
            devicePort = freePort();
            deviceManagementPort = freePort();
            device = launch(Path.of("..", "device-service", "target", "quarkus-app", "quarkus-run.jar"), devicePort, deviceManagementPort,
                    "device-service", Map.of(), Duration.ofSeconds(90));
            Runtime.getRuntime().addShutdownHook(new Thread(() -> device.destroy()));
        }
        if (backup == null || !backup.isAlive()) {
            backupPort = freePort();
            backupManagementPort = freePort();
            Path backupDir;
            try {
                backupDir = Files.createTempDirectory("jc-gateway-backups");
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            // no WAL streaming or schedules here: the gateway tests only need the backup API behind its route
            backup = launch(Path.of("..", "backup-service", "target", "quarkus-app", "quarkus-run.jar"), backupPort, backupManagementPort,
                    "backup-service",
                    Map.of("BACKUP_DIR", backupDir.toString(), "BACKUP_WAL_ENABLED", "false", "BACKUP_SCHEDULE_FULL", "off",
                            "BACKUP_SCHEDULE_REDIS", "off", "BACKUP_SCHEDULE_CLEANUP", "off", "BACKUP_SCHEDULE_DEVICES", "off",
                            "BACKUP_SCHEDULE_DRILL", "off"), Duration.ofSeconds(90));
            Runtime.getRuntime().addShutdownHook(new Thread(() -> backup.destroy()));
        }
        int gatewayPort = freePort();
        int gatewayManagementPort = freePort();
        int deadPort = freePort();
        String deviceUrl = "http://127.0.0.1:" + devicePort;
        Map<String, String> config = new HashMap<>();
        config.put("quarkus.http.test-port", Integer.toString(gatewayPort));
        config.put("quarkus.management.test-port", Integer.toString(gatewayManagementPort));
        config.put("DEVICE_SERVICE_URL", deviceUrl);
        config.put("TASK_SERVICE_URL", deviceUrl);
        config.put("BACKUP_SERVICE_URL", "http://127.0.0.1:" + backupPort);
        String deviceReadiness = "http://127.0.0.1:" + deviceManagementPort + "/health/ready";
        config.put("DEVICE_SERVICE_HEALTH_URL", deviceReadiness);
        config.put("TASK_SERVICE_HEALTH_URL", deviceReadiness);
        config.put("BACKUP_SERVICE_HEALTH_URL", "http://127.0.0.1:" + backupManagementPort + "/health/ready");
        config.put("gateway.routes.device-instances.prefix", "/api/v1/device-instances");
        config.put("gateway.routes.device-instances.upstream", "device-service");
        config.put("gateway.routes.device-instances.rewrite", "/api/v1/instances");
        config.put("gateway.upstreams.self.url", "http://127.0.0.1:" + gatewayPort);
        config.put("gateway.upstreams.self.failure-threshold", "1000");
        config.put("gateway.upstreams.self.openapi-path", "none");
        config.put("gateway.upstreams.self.health-url", "http://127.0.0.1:" + gatewayManagementPort + "/health/ready");
        config.put("gateway.routes.test-stream.prefix", "/api/v1/test-stream");
        config.put("gateway.routes.test-stream.upstream", "self");
        config.put("gateway.routes.test-stream.rewrite", "/test/stream");
        config.put("gateway.routes.test-stream.timeout", "2s");
        config.put("gateway.routes.test-stream.retries", "2");
        config.put("gateway.routes.test-stream.write-role", "operator");
        config.put("gateway.upstreams.dead.url", "http://127.0.0.1:" + deadPort);
        config.put("gateway.upstreams.dead.failure-threshold", "3");
        config.put("gateway.upstreams.dead.open-duration", "60s");
        config.put("gateway.routes.test-dead.prefix", "/api/v1/test-dead");
        config.put("gateway.routes.test-dead.upstream", "dead");
        config.put("gateway.routes.test-dead.retries", "0");
        return config;
    }

    static int devicePort() {
        return devicePort;
    }

    @Override
    public void stop() {
        // one downstream per test JVM, stopped by the shutdown hook
    }

    /** Starts a packaged service with its API on {@code port} and health on {@code managementPort}; returns once ready. */
    static Process launch(Path jar, int port, int managementPort, String name, Map<String, String> extra, Duration timeout) {
        if (!Files.exists(jar)) {
            throw new IllegalStateException(jar.toAbsolutePath() + " is missing: build " + name
                    + " first (./mvnw -B package -DskipTests -pl " + name + "); the full build orders it before gateway-service");
        }
        Map<String, String> env = new HashMap<>(SharedInfra.harness().serviceEnvironment());
        env.putAll(InternalTokens.configuration());
        env.put("HTTP_HOST", "127.0.0.1");
        env.put("HTTP_PORT", Integer.toString(port));
        env.put("MANAGEMENT_PORT", Integer.toString(managementPort));
        env.put("INSTANCE_ID", name + "-for-gateway-tests-" + port);
        env.put("LOG_FORMAT", "console");
        env.put("SHUTDOWN_DELAY", "0s");
        env.putAll(extra);
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m", "-jar",
                jar.toAbsolutePath().toString());
        builder.environment().putAll(env);
        Path log = Path.of("target", name + "-for-gateway-tests-" + port + ".log");
        builder.redirectErrorStream(true).redirectOutput(log.toFile());
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot start " + jar, e);
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited early; see " + log.toAbsolutePath());
            }
            if (status("http://127.0.0.1:" + managementPort + "/health/ready") == 200) {
                return process;
            }
            sleep(250);
        }
        process.destroyForcibly();
        throw new IllegalStateException(name + " not ready within " + timeout.toSeconds() + " s; see " + log.toAbsolutePath());
    }

    static int status(String url) {
        try {
            HttpURLConnection connection = (HttpURLConnection) URI.create(url).toURL().openConnection();
            connection.setConnectTimeout(1000);
            connection.setReadTimeout(3000);
            int code = connection.getResponseCode();
            connection.disconnect();
            return code;
        } catch (IOException e) {
            return -1;
        }
    }

    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
