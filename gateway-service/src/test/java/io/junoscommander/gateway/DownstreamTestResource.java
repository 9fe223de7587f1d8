package io.junoscommander.gateway;

import io.junoscommander.infra.testing.PackagedService;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Real downstreams for the gateway's tests: the packaged device-service, task-service and backup-service
 * ({@code …/target/quarkus-app}, built before this module) run as separate processes on free ports with the harness's
 * PostgreSQL/Redis and the test key pair, each with its management interface (health, metrics) on a free port of its own.
 * Test-only routes: {@code /api/v1/device-instances} (device-service's instance list), {@code /api/v1/test-stream}
 * (probe endpoints of the gateway process itself, for streaming, SSE, timeouts and retries) and {@code /api/v1/test-dead}
 * (an address nothing listens on, for the circuit breaker) and {@code /api/v1/test-flapping} (the probe endpoints again,
 * behind a breaker that opens at one failure for 3 s, for its half-open trial).
 */
public class DownstreamTestResource implements QuarkusTestResourceLifecycleManager {

    private static PackagedService device;
    private static PackagedService task;
    private static PackagedService backup;

    @Override
    public synchronized Map<String, String> start() {
        if (device == null || !device.isAlive()) {
            // a vault key of its own, so credential operations through the gateway do real work
            byte[] key = new byte[32];
            new java.security.SecureRandom().nextBytes(key);
            device = PackagedService.of("device-service").name("device-service-for-gateway-tests")
                    .environment(PackagedService.testEnvironment())
                    .environment(Map.of("CREDENTIAL_KEYS", "gateway-tests:" + java.util.Base64.getEncoder().encodeToString(key))).start();
        }
        if (task == null || !task.isAlive()) {
            // its schedules stay off: the gateway tests only need the task API behind its routes
            task = PackagedService.of("task-service").name("task-service-for-gateway-tests")
                    .environment(PackagedService.testEnvironment())
                    .environment(Map.of("DEVICE_SERVICE_URL", device.url())).start();
        }
        if (backup == null || !backup.isAlive()) {
            Path backupDir;
            try {
                backupDir = Files.createTempDirectory("jc-gateway-backups");
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            // no WAL streaming or schedules here: the gateway tests only need the backup API behind its route
            backup = PackagedService.of("backup-service").name("backup-service-for-gateway-tests")
                    .environment(PackagedService.testEnvironment())
                    .environment(Map.of("BACKUP_DIR", backupDir.toString(), "BACKUP_WAL_ENABLED", "false", "BACKUP_SCHEDULE_FULL", "off",
                            "BACKUP_SCHEDULE_REDIS", "off", "BACKUP_SCHEDULE_CLEANUP", "off", "BACKUP_SCHEDULE_DEVICES", "off",
                            "BACKUP_SCHEDULE_DRILL", "off")).start();
        }
        int gatewayPort = freePort();
        int gatewayManagementPort = freePort();
        int deadPort = freePort();
        String deviceUrl = device.url();
        Map<String, String> config = new HashMap<>();
        config.put("quarkus.http.test-port", Integer.toString(gatewayPort));
        config.put("quarkus.management.test-port", Integer.toString(gatewayManagementPort));
        config.put("DEVICE_SERVICE_URL", deviceUrl);
        config.put("TASK_SERVICE_URL", task.url());
        config.put("BACKUP_SERVICE_URL", backup.url());
        String deviceReadiness = device.managementUrl() + "/health/ready";
        config.put("DEVICE_SERVICE_HEALTH_URL", deviceReadiness);
        config.put("TASK_SERVICE_HEALTH_URL", task.managementUrl() + "/health/ready");
        config.put("BACKUP_SERVICE_HEALTH_URL", backup.managementUrl() + "/health/ready");
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
        // the streaming tests upload 64 MiB (chunked) through it
        config.put("gateway.routes.test-stream.max-body-size", "128M");
        config.put("gateway.upstreams.dead.url", "http://127.0.0.1:" + deadPort);
        config.put("gateway.upstreams.dead.failure-threshold", "3");
        config.put("gateway.upstreams.dead.open-duration", "60s");
        config.put("gateway.routes.test-dead.prefix", "/api/v1/test-dead");
        config.put("gateway.routes.test-dead.upstream", "dead");
        config.put("gateway.routes.test-dead.retries", "0");
        // the gateway's own probe routes again, behind a breaker that opens at the first failure and for 3 s only
        config.put("gateway.upstreams.flapping.url", "http://127.0.0.1:" + gatewayPort);
        config.put("gateway.upstreams.flapping.failure-threshold", "1");
        config.put("gateway.upstreams.flapping.open-duration", "3s");
        config.put("gateway.upstreams.flapping.openapi-path", "none");
        config.put("gateway.upstreams.flapping.health-url", "http://127.0.0.1:" + gatewayManagementPort + "/health/ready");
        config.put("gateway.routes.test-flapping.prefix", "/api/v1/test-flapping");
        config.put("gateway.routes.test-flapping.upstream", "flapping");
        config.put("gateway.routes.test-flapping.rewrite", "/test/stream");
        config.put("gateway.routes.test-flapping.retries", "0");
        return config;
    }

    static int devicePort() {
        return device.port();
    }

    @Override
    public void stop() {
        // one downstream per test JVM, stopped by the shutdown hook
    }

    static int status(String url) {
        return PackagedService.status(url);
    }

    static int freePort() {
        return PackagedService.freePort();
    }
}
