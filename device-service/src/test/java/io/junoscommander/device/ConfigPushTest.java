package io.junoscommander.device;

import static io.junoscommander.device.InventoryApiTest.as;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import io.junoscommander.infra.testing.InfraTestResource;
import io.junoscommander.lab.LabDevice;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Running config fetch and the push flow (check, commit, commit confirmed, failures) against lab devices. */
@QuarkusTest
@QuarkusTestResource(InfraTestResource.class)
class ConfigPushTest {

    @Test
    void runningConfigInSetFormWithItsHash() throws Exception {
        LabDevice device = Lab.junos().get(20);
        JsonPath config = as("viewer").when().get("/api/v1/devices/" + Lab.id(device) + "/config").then().statusCode(200).extract()
                .jsonPath();
        String content = config.getString("content");
        assertThat(config.getString("format")).isEqualTo("set");
        assertThat(content).contains("set system host-name " + device.hostname());
        assertThat(content.lines().filter(line -> !line.isBlank())).allSatisfy(line -> assertThat(line).startsWith("set "));
        assertThat(config.getString("sha256")).isEqualTo(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                .digest(content.getBytes(StandardCharsets.UTF_8))));
    }

    @Test
    void checkShowsTheDiffAndChangesNothing() {
        LabDevice device = Lab.junos().get(21);
        List<String> before = device.activeConfiguration();
        as("admin").contentType("application/json").body(Map.of("lines", List.of("set system location building b7"), "mode", "check"))
                .when().post("/api/v1/devices/" + Lab.id(device) + "/config").then().statusCode(200).body("success", equalTo(true))
                .body("committed", equalTo(false)).body("diff", containsString("+   location"))
                .body("diff", containsString("[edit system]"));
        assertThat(device.activeConfiguration()).isEqualTo(before);
    }

    @Test
    void commitChangesTheDevice() {
        LabDevice device = Lab.junos().get(22);
        as("admin").contentType("application/json").body(Map.of("lines", List.of("set system ntp server 192.0.2.123"), "mode", "commit",
                "comment", "ntp via api")).when().post("/api/v1/devices/" + Lab.id(device) + "/config").then().statusCode(200)
                .body("success", equalTo(true)).body("committed", equalTo(true));
        assertThat(device.activeConfiguration()).contains("set system ntp server 192.0.2.123");
    }

    @Test
    void rejectedLineLeavesTheDeviceUnchangedAndSaysWhy() {
        LabDevice device = Lab.junos().get(23);
        List<String> before = device.activeConfiguration();
        as("admin").contentType("application/json").body(Map.of("lines", List.of("set system location floor 3",
                "set bogus-stanza foo bar"), "mode", "commit")).when().post("/api/v1/devices/" + Lab.id(device) + "/config").then()
                .statusCode(200).body("success", equalTo(false)).body("committed", equalTo(false))
                .body("errors[0]", containsString("set bogus-stanza foo bar"));
        assertThat(device.activeConfiguration()).isEqualTo(before);
        assertThat(device.candidateConfiguration()).isEqualTo(before);
    }

    @Test
    void failedCommitLeavesTheDeviceUnchanged() {
        LabDevice device = Lab.junos().get(24);
        List<String> before = device.activeConfiguration();
        as("admin").contentType("application/json").body(Map.of("lines", List.of("delete system host-name"), "mode", "commit")).when()
                .post("/api/v1/devices/" + Lab.id(device) + "/config").then().statusCode(200).body("success", equalTo(false))
                .body("committed", equalTo(false));
        assertThat(device.activeConfiguration()).isEqualTo(before);
    }

    @Test
    void unconfirmedCommitRollsBackOnTheDevice() throws Exception {
        LabDevice device = Lab.junos().get(25);
        as("admin").contentType("application/json").body(Map.of("lines", List.of("set snmp location rolled-back"), "mode",
                "commit-confirmed", "confirmMinutes", 1)).when().post("/api/v1/devices/" + Lab.id(device) + "/config").then()
                .statusCode(200).body("success", equalTo(true)).body("rollbackAt", org.hamcrest.Matchers.notNullValue());
        assertThat(device.activeConfiguration()).contains("set snmp location rolled-back");
        long deadline = System.currentTimeMillis() + 10 * Lab.MINUTE_MILLIS;
        while (device.activeConfiguration().contains("set snmp location rolled-back") && System.currentTimeMillis() < deadline) {
            Thread.sleep(100);
        }
        assertThat(device.activeConfiguration()).doesNotContain("set snmp location rolled-back");
    }

    @Test
    void confirmedCommitStays() throws Exception {
        LabDevice device = Lab.junos().get(26);
        String id = Lab.id(device);
        as("admin").contentType("application/json").body(Map.of("lines", List.of("set snmp location kept"), "mode", "commit-confirmed",
                "confirmMinutes", 2)).when().post("/api/v1/devices/" + id + "/config").then().statusCode(200)
                .body("success", equalTo(true));
        as("admin").when().post("/api/v1/devices/" + id + "/config/confirm").then().statusCode(200).body("success", equalTo(true));
        assertThat(device.commitConfirmationPending()).isFalse();
        Thread.sleep(3 * Lab.MINUTE_MILLIS);
        assertThat(device.activeConfiguration()).contains("set snmp location kept");
    }

    @Test
    void onlyAdminsPushAndOnlySetStatementsAreAccepted() {
        String id = Lab.id(Lab.junos().get(27));
        as("operator").contentType("application/json").body(Map.of("lines", List.of("set system location x"), "mode", "commit")).when()
                .post("/api/v1/devices/" + id + "/config").then().statusCode(403);
        as("admin").contentType("application/json").body(Map.of("lines", List.of("request system reboot"), "mode", "commit")).when()
                .post("/api/v1/devices/" + id + "/config").then().statusCode(400).contentType("application/problem+json");
        as("admin").contentType("application/json").body(Map.of("lines", List.of("set system location x"), "mode", "yolo")).when()
                .post("/api/v1/devices/" + id + "/config").then().statusCode(400).body("errors[0].field", equalTo("mode"));
    }

    @Test
    void linuxHostsHaveNoConfigPush() {
        as("viewer").when().get("/api/v1/devices/" + Lab.id(Lab.linux().get(0)) + "/config").then().statusCode(409)
                .body("type", equalTo("urn:junoscommander:problem:unsupported-platform"));
    }
}
