package io.junoscommander.device;

import static io.junoscommander.device.InventoryApiTest.as;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

import io.junoscommander.infra.testing.InfraTestResource;
import io.junoscommander.lab.LabDevice;
import io.junoscommander.lab.fault.Fault;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.net.ServerSocket;
import java.net.URL;
import java.security.KeyPairGenerator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.junit.jupiter.api.Test;

/** Commands over SSH through the service's HTTP interface against the device lab. */
@QuarkusTest
@QuarkusTestResource(InfraTestResource.class)
class SshCommandsTest {

    /** Health and metrics answer only on the management interface. */
    @TestHTTPResource(value = "/", management = true)
    URL management;

    private static Map<String, Object> commands(String... lines) {
        return Map.of("commands", List.of(lines), "timeoutSeconds", 10);
    }

    @Test
    void showVersionOnAJunosDeviceAndItsHostKeyIsLearned() {
        LabDevice device = Lab.junos().get(0);
        String id = Lab.id(device);
        as("operator").contentType("application/json").body(commands("show version", "show system uptime")).when()
                .post("/api/v1/devices/" + id + "/commands").then().statusCode(200).body("ok", equalTo(true))
                .body("deviceName", equalTo(device.name())).body("results[0].command", equalTo("show version"))
                .body("results[0].output", containsString("Hostname: " + device.hostname()))
                .body("results[0].output", containsString(device.model())).body("results[1].exitStatus", equalTo(0));
        // trust on first use: the key the device presented is now on record and matches the lab's
        as("viewer").when().get("/api/v1/devices/" + id + "/host-key").then().statusCode(200)
                .body("fingerprint", equalTo(device.hostKeyFingerprint())).body("pinned", equalTo(false));
    }

    @Test
    void linuxHostRunsCommandsAndFailedCommandIsCommandError() {
        LabDevice host = Lab.linux().get(0);
        JsonPath result = as("operator").contentType("application/json").body(commands("uname -a", "hostname", "no-such-tool")).when()
                .post("/api/v1/devices/" + Lab.id(host) + "/commands").then().statusCode(200).extract().jsonPath();
        assertThat(result.getBoolean("ok")).isFalse();
        assertThat(result.getString("errorKind")).isEqualTo("command_error");
        assertThat(result.getString("results[0].output")).startsWith("Linux");
        assertThat(result.getString("results[1].output").strip()).isEqualTo(host.hostname());
        assertThat(result.getInt("results[2].exitStatus")).isEqualTo(127);
        assertThat(result.getString("results[2].errorKind")).isEqualTo("command_error");
    }

    @Test
    void unknownJunosCommandIsCommandError() {
        as("operator").contentType("application/json").body(commands("show bogus")).when()
                .post("/api/v1/devices/" + Lab.id(Lab.junos().get(1)) + "/commands").then().statusCode(200).body("ok", equalTo(false))
                .body("results[0].errorKind", equalTo("command_error")).body("results[0].output", containsString("syntax error"));
    }

    @Test
    void wrongPasswordIsAuthFailed() {
        LabDevice device = Lab.junos().get(2);
        device.setFault(Fault.wrongPassword());
        try {
            as("operator").contentType("application/json").body(commands("show version")).when()
                    .post("/api/v1/devices/" + Lab.id(device) + "/commands").then().statusCode(200).body("ok", equalTo(false))
                    .body("errorKind", equalTo("auth_failed")).body("error", containsString("refused the login"));
        } finally {
            device.clearFaults();
        }
    }

    @Test
    void hangingDeviceIsTimeout() {
        LabDevice device = Lab.junos().get(3);
        device.setFault(Fault.hang());
        try {
            as("operator").contentType("application/json").body(Map.of("commands", List.of("show version"), "timeoutSeconds", 2)).when()
                    .post("/api/v1/devices/" + Lab.id(device) + "/commands").then().statusCode(200).body("ok", equalTo(false))
                    .body("errorKind", equalTo("timeout"));
        } finally {
            device.clearFaults();
        }
    }

    @Test
    void hugeOutputIsCutAndFlagged() {
        LabDevice device = Lab.junos().get(4);
        device.setFault(Fault.hugeOutput(2));
        try {
            JsonPath result = as("operator").contentType("application/json").body(commands("show configuration")).when()
                    .post("/api/v1/devices/" + Lab.id(device) + "/commands").then().statusCode(200).extract().jsonPath();
            assertThat(result.getString("errorKind")).isEqualTo("output_truncated");
            assertThat(result.getBoolean("results[0].truncated")).isTrue();
            assertThat(result.getString("results[0].output").length()).isLessThanOrEqualTo(65536);
        } finally {
            device.clearFaults();
        }
    }

    @Test
    void nothingListeningIsUnreachable() throws Exception {
        int closedPort;
        try (ServerSocket probe = new ServerSocket(0)) {
            closedPort = probe.getLocalPort();
        }
        String credential = as("viewer").when().get("/api/v1/devices/" + Lab.id(Lab.junos().get(0))).then().extract().path("credentialId");
        String id = as("admin").contentType("application/json").body(Map.of("name", "gone-" + UUID.randomUUID(), "host", "127.0.0.1",
                "port", closedPort, "platform", "junos", "credentialId", credential)).when().post("/api/v1/devices").then()
                .statusCode(201).extract().path("id");
        as("operator").contentType("application/json").body(commands("show version")).when().post("/api/v1/devices/" + id + "/commands")
                .then().statusCode(200).body("ok", equalTo(false)).body("errorKind", equalTo("unreachable"));
    }

    @Test
    void changedHostKeyIsRefused() throws Exception {
        LabDevice device = Lab.junos().get(5);
        String id = Lab.id(device);
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(256);
        String otherKey = PublicKeyEntry.toString(generator.generateKeyPair().getPublic());
        as("admin").contentType("application/json").body(Map.of("publicKey", otherKey)).when().put("/api/v1/devices/" + id + "/host-key")
                .then().statusCode(200).body("pinned", equalTo(true));
        as("operator").contentType("application/json").body(commands("show version")).when().post("/api/v1/devices/" + id + "/commands")
                .then().statusCode(200).body("ok", equalTo(false)).body("errorKind", equalTo("host_key_mismatch"))
                .body("error", containsString("changed"));
        // forgetting the key lets the next connection learn the real one
        as("admin").when().delete("/api/v1/devices/" + id + "/host-key").then().statusCode(204);
        as("operator").contentType("application/json").body(commands("show version")).when().post("/api/v1/devices/" + id + "/commands")
                .then().statusCode(200).body("ok", equalTo(true));
    }

    @Test
    void fanOutOverManyDevicesReturnsOneResultPerDevice() {
        List<String> ids = Lab.junos().subList(10, 50).stream().map(Lab::id).toList();
        JsonPath results = as("operator").contentType("application/json").body(Map.of("deviceIds", ids, "commands",
                List.of("show version"), "concurrency", 10)).when().post("/api/v1/devices/commands").then().statusCode(200).extract()
                .jsonPath();
        assertThat(results.getList("deviceId", String.class)).containsExactlyInAnyOrderElementsOf(ids);
        assertThat(results.getList("ok", Boolean.class)).containsOnly(true);

        String streamed = as("operator").accept("application/x-ndjson").contentType("application/json").body(Map.of("deviceIds",
                ids.subList(0, 5), "commands", List.of("show system uptime"))).when().post("/api/v1/devices/commands").then()
                .statusCode(200).extract().asString();
        assertThat(streamed.lines().filter(line -> !line.isBlank())).hasSize(5)
                .allSatisfy(line -> assertThat(line).contains("\"ok\":true"));
    }

    @Test
    void aFanOutOverDevicesNeverReachedStoresTheHostKeyOfEach() {
        // inventory entries of their own: no other test has a session or a key on record for them
        String credential = as("admin").contentType("application/json").body(Map.of("name", "first-contact-" + UUID.randomUUID(),
                "username", "lab", "password", "lab")).when().post("/api/v1/credentials").then().statusCode(201).extract().path("id");
        List<String> ids = Lab.junos().subList(52, 59).stream().map(device -> (String) as("admin").contentType("application/json")
                .body(Map.of("name", "first-contact-" + UUID.randomUUID(), "host", device.host(), "port", device.port(),
                        "platform", "junos", "credentialId", credential)).when().post("/api/v1/devices").then().statusCode(201)
                .extract().path("id")).toList();
        as("operator").contentType("application/json").body(Map.of("deviceIds", ids, "commands", List.of("show version"), "concurrency",
                8)).when().post("/api/v1/devices/commands").then().statusCode(200)
                .body("ok", org.hamcrest.Matchers.everyItem(equalTo(true)));
        // the keys arrive together and are written together (HostKeyLearning): each is on record once the fan-out answered
        for (String id : ids) {
            as("viewer").when().get("/api/v1/devices/" + id + "/host-key").then().statusCode(200)
                    .body("fingerprint", equalTo(Lab.junos().get(52).hostKeyFingerprint())).body("pinned", equalTo(false));
        }
    }

    @Test
    void sshMetricsAreExported() {
        as("operator").contentType("application/json").body(commands("show version")).when()
                .post("/api/v1/devices/" + Lab.id(Lab.junos().get(6)) + "/commands").then().statusCode(200);
        String metrics = given().port(management.getPort()).when().get("/metrics").then().statusCode(200).extract().asString();
        assertThat(metrics).containsPattern("(?m)^ssh_connect_duration_seconds_bucket\\{")
                .containsPattern("(?m)^ssh_command_duration_seconds_count\\{[^}]*outcome=\"ok\"[^}]*platform=\"junos\"")
                .containsPattern("(?m)^ssh_sessions_open ").containsPattern("(?m)^ssh_operations_active ");
    }

    @Test
    void unknownDeviceInAFanOutIsABadRequest() {
        as("operator").contentType("application/json").body(Map.of("deviceIds", List.of(UUID.randomUUID()), "commands",
                List.of("show version"))).when().post("/api/v1/devices/commands").then().statusCode(400)
                .contentType("application/problem+json").body("errors[0].field", equalTo("deviceIds"));
    }

    @Test
    void viewersCannotRunCommands() {
        as("viewer").contentType("application/json").body(commands("show version")).when()
                .post("/api/v1/devices/" + Lab.id(Lab.junos().get(0)) + "/commands").then().statusCode(403);
        as("operator").contentType("application/json").body(Map.of("commands", List.of())).when()
                .post("/api/v1/devices/" + Lab.id(Lab.junos().get(0)) + "/commands").then().statusCode(400)
                .body("type", startsWith("urn:junoscommander:problem:"));
    }
}
