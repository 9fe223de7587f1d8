package io.junoscommander.backup.devices;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import io.junoscommander.backup.catalog.BackupKind;
import io.junoscommander.backup.run.BackupRunner;
import io.junoscommander.infra.testing.InternalTokens;
import io.junoscommander.infra.testing.SharedInfra;
import io.junoscommander.lab.LabDevice;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import jakarta.inject.Inject;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.channel.ChannelShell;
import org.apache.sshd.client.keyverifier.AcceptAllServerKeyVerifier;
import org.apache.sshd.client.session.ClientSession;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Device configuration history against real servers: the lab's devices over SSH, the packaged device service, PostgreSQL
 * through PgBouncer and Redis behind Sentinel. The tests build on each other (one fleet, one history), so they run in order.
 */
@QuarkusTest
@QuarkusTestResource(value = DeviceFleet.class, restrictToAnnotatedClass = true)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DeviceConfigHistoryTest {

    private static final String MASKED = ConfigNormalizer.SECRET_MARKER;

    @Inject
    BackupRunner runner;

    @Test
    @Order(1)
    void aCollectionStoresOneVersionPerDeviceAndASecondWithoutChangesStoresNone() throws Exception {
        long start = System.nanoTime();
        JsonPath first = collect("api");
        long firstMs = (System.nanoTime() - start) / 1_000_000;
        System.out.printf("device-configs collection of %d lab devices: %d ms (run %s ms collecting)%n", DeviceFleet.JUNOS, firstMs,
                first.getString("details.collectMs"));
        assertThat(first.getInt("details.devicesSeen")).isEqualTo(DeviceFleet.JUNOS + DeviceFleet.LINUX + 1);
        assertThat(first.getInt("details.fetched")).isEqualTo(DeviceFleet.JUNOS);
        assertThat(first.getInt("details.changed")).isEqualTo(DeviceFleet.JUNOS);
        assertThat(first.getInt("details.skipped")).isEqualTo(DeviceFleet.LINUX);
        assertThat(first.getInt("details.failed")).isEqualTo(1);
        for (LabDevice device : DeviceFleet.junos()) {
            viewer().get("/api/v1/backups/devices/" + DeviceFleet.id(device.name()) + "/versions").then().statusCode(200)
                    .body("total", equalTo(1)).body("items[0].version", equalTo(1)).body("items[0].source", equalTo("api"))
                    .body("deviceName", equalTo(device.name()));
        }

        JsonPath second = collect("api");
        System.out.printf("second collection (nothing changed): %s ms collecting%n", second.getString("details.collectMs"));
        assertThat(second.getInt("details.fetched")).isEqualTo(DeviceFleet.JUNOS);
        assertThat(second.getInt("details.changed")).isZero();
        assertThat(second.getInt("details.unchanged")).isEqualTo(DeviceFleet.JUNOS);
        String any = DeviceFleet.id(DeviceFleet.junos().get(0).name());
        viewer().get("/api/v1/backups/devices/" + any + "/versions").then().statusCode(200).body("total", equalTo(1));

        // the storage holds the newest configurations too: one zip per run with a file per device and an index
        assertThat(second.getList("files.name", String.class)).contains(DeviceConfigHandler.SNAPSHOT);
        Path zip = DeviceFleet.backupDir().resolve(second.getString("location") + DeviceConfigHandler.SNAPSHOT);
        List<String> names = new ArrayList<>();
        try (ZipInputStream in = new ZipInputStream(Files.newInputStream(zip))) {
            for (ZipEntry entry = in.getNextEntry(); entry != null; entry = in.getNextEntry()) {
                names.add(entry.getName());
            }
        }
        assertThat(names).hasSize(DeviceFleet.JUNOS + 1).contains("INDEX.tsv", "lab-r0001_" + DeviceFleet.id("lab-r0001") + ".conf");
    }

    @Test
    @Order(2)
    void aPushThroughTheDeviceServiceIsAVersionAtOnceNamingWhoPushedIt() {
        String id = DeviceFleet.id("lab-r0002");
        DeviceFleet.device("admin").header("X-Request-Id", "it-push-0002").header("X-Task-Id", "task-42").contentType("application/json")
                .body(Map.of("lines", List.of("set snmp location rack-7",
                        "set system login user lab authentication encrypted-password \"$6$pushed-hash\""), "mode", "commit", "comment",
                        "rack move")).when().post("/api/v1/devices/" + id + "/config").then().statusCode(200)
                .body("committed", equalTo(true));
        await(Duration.ofSeconds(15), () -> viewer().get("/api/v1/backups/devices/" + id + "/versions").then().extract().path("total")
                .equals(2));

        viewer().get("/api/v1/backups/devices/" + id + "/versions").then().statusCode(200).body("items[0].version", equalTo(2))
                .body("items[0].source", equalTo("push")).body("items[0].changedBy", equalTo("it-admin"))
                .body("items[0].requestId", equalTo("it-push-0002")).body("items[0].taskId", equalTo("task-42"))
                .body("items[0].linesAdded", equalTo(2)).body("items[0].linesRemoved", equalTo(0));
        String diff = viewer().accept("text/plain").get("/api/v1/backups/devices/" + id + "/diff").then().statusCode(200)
                .contentType(containsString("text/plain")).extract().asString();
        assertThat(diff).contains("--- lab-r0002 version 1", "+++ lab-r0002 version 2", "@@ ")
                .contains("\n+set snmp location rack-7\n")
                .contains("\n+set system login user lab authentication encrypted-password " + MASKED + "\n")
                .doesNotContain("pushed-hash");
        viewer().get("/api/v1/backups/devices/" + id + "/diff?from=1&to=2").then().statusCode(200).body("from", equalTo(1))
                .body("to", equalTo(2)).body("linesAdded", equalTo(2)).body("diff", equalTo(diff));
        viewer().get("/api/v1/backups/devices/" + id + "/pushes").then().statusCode(200).body("[0].pushedBy", equalTo("it-admin"))
                .body("[0].requestId", equalTo("it-push-0002")).body("[0].taskId", equalTo("task-42")).body("[0].version", equalTo(2))
                .body("[0].changed", equalTo(true)).body("[0].mode", equalTo("commit")).body("[0].comment", equalTo("rack move"));
        viewer().queryParam("since", OffsetDateTime.now(ZoneOffset.UTC).minusMinutes(5).toString())
                .get("/api/v1/backups/devices/changes").then().statusCode(200).body("find { it.deviceId == '" + id + "' }.changedBy",
                        equalTo("it-admin")).body("find { it.deviceId == '" + id + "' }.taskId", equalTo("task-42"));

        // the push's configuration is the device's: the next collection finds nothing new
        JsonPath run = collect("api");
        assertThat(run.getInt("details.changed")).isZero();
    }

    @Test
    @Order(3)
    void aPushThatChangesNothingIsALedgerEntryPointingAtTheVersionItLeft() {
        String id = DeviceFleet.id("lab-r0002");
        DeviceFleet.device("admin").header("X-Request-Id", "it-push-again").contentType("application/json")
                .body(Map.of("lines", List.of("set snmp location rack-7"), "mode", "commit")).when()
                .post("/api/v1/devices/" + id + "/config").then().statusCode(200);
        await(Duration.ofSeconds(15), () -> viewer().get("/api/v1/backups/devices/" + id + "/pushes").then().extract()
                .jsonPath().getList("$").size() == 2);
        viewer().get("/api/v1/backups/devices/" + id + "/pushes").then().body("[0].requestId", equalTo("it-push-again"))
                .body("[0].changed", equalTo(false)).body("[0].version", equalTo(2));
        viewer().get("/api/v1/backups/devices/" + id + "/versions").then().body("total", equalTo(2));
    }

    @Test
    @Order(4)
    void aCommitBehindTheServicesBackIsCaughtByTheNextScheduledCollection() throws Exception {
        LabDevice device = DeviceFleet.lab().device("lab-r0003");
        commitOverSsh(device, "set snmp contact behind-the-back");
        await(Duration.ofSeconds(10), () -> device.activeConfiguration().contains("set snmp contact behind-the-back"));

        UUID run = BackupRunner.awaitCatalog(() -> runner.start(BackupKind.DEVICE_CONFIGS, "schedule", null)).id;
        JsonPath done = awaitRun(run.toString());
        assertThat(done.getInt("details.changed")).isEqualTo(1);
        String id = DeviceFleet.id(device.name());
        viewer().get("/api/v1/backups/devices/" + id + "/versions").then().body("total", equalTo(2))
                .body("items[0].source", equalTo("schedule")).body("items[0].changedBy", equalTo(null))
                .body("items[0].linesAdded", equalTo(1));
        viewer().get("/api/v1/backups/devices/" + id + "/diff").then()
                .body("diff", containsString("\n+set snmp contact behind-the-back\n"));
    }

    @Test
    @Order(5)
    void anUnreachableDeviceIsListedInFailuresWithItsErrorKind() {
        String id = DeviceFleet.id(DeviceFleet.UNREACHABLE);
        viewer().get("/api/v1/backups/devices/failures").then().statusCode(200)
                .body("find { it.deviceId == '" + id + "' }.errorKind", equalTo("device-unreachable"))
                .body("find { it.deviceId == '" + id + "' }.deviceName", equalTo(DeviceFleet.UNREACHABLE))
                .body("find { it.deviceId == '" + id + "' }.consecutiveFailures", org.hamcrest.Matchers.greaterThanOrEqualTo(2));
        assertThat(viewer().get("/api/v1/backups/devices/failures").then().extract().jsonPath().getList("deviceName"))
                .containsExactly(DeviceFleet.UNREACHABLE);
    }

    @Test
    @Order(6)
    void secretValuesAreMaskedBeforeStorage() {
        String id = DeviceFleet.id("lab-r0001");
        String content = viewer().accept("text/plain").get("/api/v1/backups/devices/" + id + "/versions/1").then().statusCode(200)
                .contentType(containsString("text/plain")).extract().asString();
        assertThat(content).contains("set system host-name lab-r0001\n", "set snmp community " + MASKED + " authorization read-only\n")
                .doesNotContain("community public");
        viewer().get("/api/v1/backups/devices/" + id + "/versions/1").then().statusCode(200).contentType(containsString("json"))
                .body("content", equalTo(content)).body("version", equalTo(1)).body("lineCount", equalTo((int) content.lines().count()));
        List<Map<String, String>> rows = SharedInfra.harness().queryAsSuperuser("SELECT count(*) AS leaked FROM"
                + " backup.device_config_version WHERE content LIKE '%community public%' OR content LIKE '%pushed-hash%'");
        assertThat(rows.get(0).get("leaked")).isEqualTo("0");
    }

    @Test
    @Order(7)
    void anEntryLeftPendingByADeadReplicaIsTakenOverAndStoredOnce() {
        String id = DeviceFleet.id("lab-r0004");
        String content = String.join("\n", DeviceFleet.lab().device("lab-r0004").activeConfiguration()) + "\nset snmp contact orphan\n";
        String redis = SharedInfra.harness().redisMaster();
        int port = Integer.parseInt(redis.substring(redis.lastIndexOf(':') + 1));
        // added and delivered to a consumer that then dies, in one step so the live consumer never sees it as new
        String entry = SharedInfra.harness().redisCli(port, "EVAL", "local id = redis.call('XADD', KEYS[1], '*', 'deviceId', ARGV[1],"
                + " 'deviceName', 'lab-r0004', 'content', ARGV[2], 'sha256', 'x', 'user', 'it-orphan', 'requestId', 'it-orphan-1',"
                + " 'mode', 'commit', 'committedAt', ARGV[3]) redis.call('XREADGROUP', 'GROUP', 'backup-service', 'dead-replica',"
                + " 'COUNT', 1, 'STREAMS', KEYS[1], '>') return id", "1", "jc:config-changes", id, content,
                OffsetDateTime.now(ZoneOffset.UTC).toString());
        assertThat(entry).matches("\\d+-\\d+");
        await(Duration.ofSeconds(20), () -> viewer().get("/api/v1/backups/devices/" + id + "/versions").then().extract().path("total")
                .equals(2));
        viewer().get("/api/v1/backups/devices/" + id + "/pushes").then().body("size()", equalTo(1)).body("[0].entryId", equalTo(entry))
                .body("[0].pushedBy", equalTo("it-orphan"));
        await(Duration.ofSeconds(10), () -> SharedInfra.harness().redisCli(port, "XPENDING", "jc:config-changes", "backup-service")
                .startsWith("0"));
    }

    @Test
    @Order(8)
    void unknownDevicesAndVersionsAre404AndBadParametersAre400() {
        String unknown = UUID.randomUUID().toString();
        String known = DeviceFleet.id("lab-r0001");
        problem(viewer().get("/api/v1/backups/devices/" + unknown + "/versions"), 404);
        problem(viewer().get("/api/v1/backups/devices/" + unknown + "/diff"), 404);
        problem(viewer().get("/api/v1/backups/devices/" + known + "/versions/999"), 404);
        problem(viewer().accept("text/plain").get("/api/v1/backups/devices/" + known + "/versions/999"), 404);
        problem(viewer().get("/api/v1/backups/devices/" + known + "/diff?from=1&to=999"), 404);
        problem(viewer().get("/api/v1/backups/devices/not-a-uuid/versions"), 400);
        problem(viewer().get("/api/v1/backups/devices/" + known + "/versions/zero"), 400);
        problem(viewer().get("/api/v1/backups/devices/" + known + "/versions/0"), 400);
        problem(viewer().get("/api/v1/backups/devices/" + known + "/versions?size=0"), 400);
        problem(viewer().get("/api/v1/backups/devices/" + known + "/diff?from=3&to=2"), 400);
        problem(viewer().get("/api/v1/backups/devices/" + known + "/diff?from=x"), 400);
        problem(viewer().get("/api/v1/backups/devices/changes?since=yesterday"), 400);
        problem(viewer().get("/api/v1/backups/devices/changes?limit=-1"), 400);
        // the catalog's /{id} never takes these paths, and a bad id there is not a server error
        problem(viewer().get("/api/v1/backups/not-a-uuid"), 404);
        viewer().get("/api/v1/backups/devices").then().statusCode(200).body("total", equalTo(DeviceFleet.JUNOS + 1));
        given().get("/api/v1/backups/devices/failures").then().statusCode(401);
    }

    @Test
    @Order(9)
    void aPushDuringARedisFailoverIsStillRecordedAsAPush() throws Exception {
        String id = DeviceFleet.id("lab-r0005");
        long killedAt = System.nanoTime();
        int killed = SharedInfra.harness().killRedisMaster();
        try {
            DeviceFleet.device("admin").header("X-Request-Id", "it-push-failover").contentType("application/json")
                    .body(Map.of("lines", List.of("set snmp location failover"), "mode", "commit")).when()
                    .post("/api/v1/devices/" + id + "/config").then().statusCode(200).body("committed", equalTo(true));
            await(Duration.ofSeconds(30), () -> viewer().get("/api/v1/backups/devices/" + id + "/versions").then().extract()
                    .path("total").equals(2));
            System.out.printf("push during a Redis failover recorded %.1f s after kill -9 of the master%n",
                    (System.nanoTime() - killedAt) / 1e9);
            viewer().get("/api/v1/backups/devices/" + id + "/versions").then().body("items[0].source", equalTo("push"))
                    .body("items[0].requestId", equalTo("it-push-failover"));
        } finally {
            SharedInfra.harness().startRedis(killed);
            SharedInfra.harness().awaitSentinels();
        }
    }

    private static void problem(Response response, int status) {
        response.then().statusCode(status).contentType(containsString("application/problem+json")).body("status", equalTo(status));
    }

    private static RequestSpecification viewer() {
        return given().header("Authorization", InternalTokens.bearer("it-viewer", "viewer"));
    }

    /** Starts a device-configs run through the API and waits for it to succeed; answers the finished run. */
    private static JsonPath collect(String how) {
        String id = given().header("Authorization", InternalTokens.bearer("it-operator", "operator")).contentType("application/json")
                .body(Map.of("kind", "device-configs")).post("/api/v1/backups").then().statusCode(202).body("trigger", equalTo(how))
                .extract().path("id");
        return awaitRun(id);
    }

    private static JsonPath awaitRun(String id) {
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        while (System.nanoTime() < deadline) {
            JsonPath run = viewer().get("/api/v1/backups/" + id).then().statusCode(200).extract().jsonPath();
            if (!"running".equals(run.getString("status"))) {
                assertThat(run.getString("status")).as("run %s: %s", id, run.getString("error")).isEqualTo("succeeded");
                return run;
            }
            sleep(200);
        }
        throw new AssertionError("run " + id + " still running after 3 minutes");
    }

    private static void await(Duration limit, BooleanSupplier condition) {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + limit.toSeconds() + " s");
            }
            sleep(100);
        }
    }

    /** Commits on the device over SSH as an engineer would, past the device service. */
    private static void commitOverSsh(LabDevice device, String line) throws Exception {
        try (SshClient client = SshClient.setUpDefaultClient()) {
            client.setServerKeyVerifier(AcceptAllServerKeyVerifier.INSTANCE);
            client.start();
            try (ClientSession session = client.connect(device.username(), device.host(), device.port()).verify(10, TimeUnit.SECONDS)
                    .getSession()) {
                session.addPasswordIdentity(device.password());
                session.auth().verify(10, TimeUnit.SECONDS);
                try (ChannelShell shell = session.createShellChannel()) {
                    ByteArrayOutputStream output = new ByteArrayOutputStream();
                    shell.setOut(output);
                    shell.setErr(output);
                    shell.open().verify(10, TimeUnit.SECONDS);
                    OutputStream in = shell.getInvertedIn();
                    in.write(("configure\n" + line + "\ncommit\n").getBytes(StandardCharsets.UTF_8));
                    in.flush();
                    await(Duration.ofSeconds(10), () -> output.toString(StandardCharsets.UTF_8).contains("commit complete"));
                }
            }
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
