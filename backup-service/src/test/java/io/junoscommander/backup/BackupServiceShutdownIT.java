package io.junoscommander.backup;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.junoscommander.infra.testing.GracefulShutdown;
import io.junoscommander.infra.testing.GracefulShutdown.Probe;
import io.junoscommander.infra.testing.InternalTokens;
import io.junoscommander.infra.testing.PackagedService;
import io.junoscommander.infra.testing.SharedInfra;
import io.junoscommander.lab.DeviceLab;
import io.junoscommander.lab.LabConfig;
import io.junoscommander.lab.LabDevice;
import io.junoscommander.lab.fault.Fault;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Graceful shutdown of the packaged backup service (its own process, as Kubernetes runs it): SIGTERM while a device
 * configuration backup requested on its API is collecting from slow lab devices (through the packaged device service).
 * Readiness turns DOWN at once, a new request once the shutdown delay is over is refused cleanly (503 problem+json or
 * connection refused), the backup in progress finishes and is recorded as succeeded with every device, and the process exits
 * within {@code SHUTDOWN_DELAY + SHUTDOWN_TIMEOUT}. Runs in {@code verify} after the jar is built (failsafe).
 */
class BackupServiceShutdownIT {

    private static final Duration DELAY = Duration.ofSeconds(2);
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final int DEVICES = 10;

    private DeviceLab lab;
    private PackagedService device;
    private PackagedService backup;

    @AfterEach
    void stop() {
        for (PackagedService service : new PackagedService[] {backup, device}) {
            if (service != null) {
                service.kill();
            }
        }
        if (lab != null) {
            lab.close();
        }
    }

    @Test
    void sigtermLetsTheBackupInProgressFinishRefusesNewWorkAndExitsInTime() throws Exception {
        lab = DeviceLab.start(LabConfig.builder().devices(DEVICES).build());
        lab.devices().forEach(each -> each.setFault(Fault.latency(1500)));
        device = PackagedService.of("device-service").name("device-service-for-backup-shutdown")
                .environment(PackagedService.testEnvironment())
                .environment("CREDENTIAL_KEYS", "k1:" + Base64.getEncoder().encodeToString(new byte[32])).start();
        register();
        Path dir = Files.createTempDirectory("jc-backup-shutdown");
        backup = PackagedService.of("backup-service").name("backup-service-shutdown").environment(PackagedService.testEnvironment())
                .environment(Map.of("BACKUP_DIR", dir.resolve("store").toString(), "BACKUP_WORK_DIR", dir.resolve("work").toString(),
                        "BACKUP_WAL_ENABLED", "false", "DEVICE_SERVICE_URL", device.url(), "BACKUP_DEVICES_CONCURRENCY", "2",
                        "SHUTDOWN_DELAY", DELAY.toSeconds() + "s", "SHUTDOWN_TIMEOUT", TIMEOUT.toSeconds() + "s"))
                .environment(Map.of("BACKUP_SCHEDULE_FULL", "off", "BACKUP_SCHEDULE_REDIS", "off", "BACKUP_SCHEDULE_CLEANUP", "off",
                        "BACKUP_SCHEDULE_DEVICES", "off", "BACKUP_SCHEDULE_DRILL", "off"))
                .start();

        String run = given().baseUri(backup.url()).header("Authorization", admin()).contentType("application/json")
                .body(Map.of("kind", "device-configs")).when().post("/api/v1/backups").then().statusCode(202).extract().path("id");
        Thread.sleep(3000);
        assertThat(status(run)).as("the device backup is still collecting").isEqualTo("running");

        GracefulShutdown shutdown = GracefulShutdown.sigterm(backup);
        long readinessDownMs = shutdown.awaitReadinessDown(Duration.ofSeconds(1));
        assertThat(readinessDownMs).as("readiness DOWN within a second of SIGTERM").isNotNegative();

        shutdown.sleepUntil(DELAY.plusMillis(500));
        assertThat(status(run)).as("the backup is still in progress after the delay").isEqualTo("running");
        Probe refused = shutdown.probe(HttpRequest.newBuilder(URI.create(backup.url() + "/api/v1/backups"))
                .header("Authorization", admin()).timeout(Duration.ofSeconds(5)).GET().build());
        // 503 problem+json, or the port is closed already: refused cleanly as well
        assertThat(refused.status()).as(refused.body()).isIn(503, -1);
        assertThat(refused.answeredOrRefusedCleanly()).as(refused.toString()).isTrue();

        long exitMs = shutdown.awaitExit(DELAY.plus(TIMEOUT));
        Map<String, String> row = SharedInfra.harness().queryAsSuperuser("SELECT status, error, details::text AS details,"
                + " extract(epoch FROM finished_at - started_at) AS seconds FROM backup.backup_run WHERE id = '" + run + "'").get(0);
        System.out.printf("backup-service shutdown: readiness DOWN after %d ms, new request refused with %d, device backup %s after"
                + " %s s (%s), exit after %d ms (delay %d s + timeout %d s)%n", readinessDownMs, refused.status(), row.get("status"),
                row.get("seconds"), row.get("details"), exitMs, DELAY.toSeconds(), TIMEOUT.toSeconds());
        assertThat(row.get("status")).as(row.toString()).isEqualTo("succeeded");
        assertThat(row.get("details")).contains("\"fetched\": " + DEVICES);
        assertThat(exitMs).as("exit within delay + timeout").isBetween(0L, DELAY.plus(TIMEOUT).toMillis());
        assertThat(Files.readString(backup.log())).doesNotContain("backups still running are interrupted");
    }

    private String status(String run) {
        return SharedInfra.harness().queryAsSuperuser("SELECT status FROM backup.backup_run WHERE id = '" + run + "'").get(0)
                .get("status");
    }

    private void register() {
        String credential = given().baseUri(device.url()).header("Authorization", admin()).contentType("application/json")
                .body(Map.of("name", "shutdown-lab", "username", "lab", "password", "lab")).when().post("/api/v1/credentials").then()
                .statusCode(201).extract().path("id");
        List<Map<String, Object>> devices = new ArrayList<>();
        for (LabDevice each : lab.devices()) {
            devices.add(Map.of("name", each.name(), "host", each.host(), "port", each.port(), "platform", "junos", "site",
                    "shutdown", "tags", List.of("shutdown"), "credentialId", credential));
        }
        given().baseUri(device.url()).header("Authorization", admin()).contentType("application/json").body(devices).when()
                .post("/api/v1/devices/import").then().statusCode(200);
    }

    /** Minted per request: the services refuse internal tokens older than 90 s, and a start on a loaded machine can take longer. */
    private static String admin() {
        return InternalTokens.bearer("shutdown-admin", "admin");
    }
}
