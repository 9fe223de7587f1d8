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
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Running config fetch and the push flow (check, commit, commit confirmed, with and without a comment, failures) against lab
 * devices.
 */
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
    void aDeviceFirstReachedByAPushHasItsHostKeyLearned() {
        // an inventory entry of its own: no session and no key on record; its first contact is a push, later commands reuse
        // that pooled session, so the push itself must store the key the device presented (trust on first use)
        LabDevice device = Lab.junos().get(59);
        String credential = as("admin").contentType("application/json").body(Map.of("name", "push-first-" + UUID.randomUUID(),
                "username", "lab", "password", "lab")).when().post("/api/v1/credentials").then().statusCode(201).extract().path("id");
        String id = as("admin").contentType("application/json").body(Map.of("name", "push-first-" + UUID.randomUUID(), "host",
                device.host(), "port", device.port(), "platform", "junos", "credentialId", credential)).when().post("/api/v1/devices")
                .then().statusCode(201).extract().path("id");
        as("viewer").when().get("/api/v1/devices/" + id + "/host-key").then().statusCode(404);
        as("admin").contentType("application/json").body(Map.of("lines", List.of("set system location building b9"), "mode", "check"))
                .when().post("/api/v1/devices/" + id + "/config").then().statusCode(200).body("success", equalTo(true));
        as("operator").contentType("application/json").body(Map.of("commands", List.of("show version"))).when()
                .post("/api/v1/devices/" + id + "/commands").then().statusCode(200).body("ok", equalTo(true));
        as("viewer").when().get("/api/v1/devices/" + id + "/host-key").then().statusCode(200)
                .body("fingerprint", equalTo(device.hostKeyFingerprint())).body("pinned", equalTo(false));
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

    /** What {@code show system commit} on the device says, read through the command API. */
    private static List<String> commitHistory(String id) {
        String output = as("operator").contentType("application/json").body(Map.of("commands", List.of("show system commit"))).when()
                .post("/api/v1/devices/" + id + "/commands").then().statusCode(200).body("ok", equalTo(true)).extract()
                .path("results[0].output");
        return output.lines().filter(line -> !line.isBlank()).toList();
    }

    /**
     * Every push mode with and without a comment, among them comments with quotes, backslashes and text that looks like CLI
     * syntax or a prompt: each arrives on the device exactly as written, in its commit history.
     */
    @Test
    void everyModeWithAndWithoutACommentKeepsTheCommentOnTheDevice() {
        LabDevice device = Lab.junos().get(50);
        String id = Lab.id(device);
        List<String> comments = java.util.Arrays.asList(null, "", "weekly ntp change", "say \"hi\" to 'ops'; 50% done | no-more",
                "trailing backslash \\", "\\\" ; request system reboot ; \"", "lab@lab-r0050# [yes,no] (yes)",
                "$(reboot) `id` {braces} [brackets] <tags> & ? * ~ #!", "x".repeat(200));
        int n = 0;
        for (String mode : List.of("check", "commit", "commit-confirmed")) {
            for (String comment : comments) {
                String location = "matrix-" + n++;
                java.util.Map<String, Object> body = new java.util.HashMap<>(Map.of("lines", List.of("set snmp location " + location),
                        "mode", mode, "confirmMinutes", 60));
                body.put("comment", comment);
                List<String> before = commitHistory(id);
                as("admin").contentType("application/json").body(body).when().post("/api/v1/devices/" + id + "/config").then()
                        .statusCode(200).body("success", equalTo(true)).body("committed", equalTo(!mode.equals("check")));
                List<String> after = commitHistory(id);
                String what = mode + " with comment " + comment;
                if (mode.equals("check")) {
                    assertThat(after).as(what).isEqualTo(before);
                    assertThat(device.activeConfiguration()).as(what).doesNotContain("set snmp location " + location);
                    continue;
                }
                assertThat(device.activeConfiguration()).as(what).contains("set snmp location " + location);
                String suffix = mode.equals("commit-confirmed") ? " commit confirmed, rollback in 60mins" : "";
                assertThat(after.get(0)).as(what).matches("0   \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d UTC by lab via cli"
                        + java.util.regex.Pattern.quote(suffix));
                if (comment == null || comment.isBlank()) {
                    assertThat(after.get(1)).as(what).startsWith("1   ");
                } else {
                    assertThat(after.get(1)).as(what).isEqualTo("    " + comment);
                    assertThat(device.commitHistory().get(0).comment()).as(what).isEqualTo(comment);
                }
            }
        }
        as("admin").when().post("/api/v1/devices/" + id + "/config/confirm").then().statusCode(200).body("success", equalTo(true));
        assertThat(device.commitConfirmationPending()).isFalse();
    }

    /** A comment that could end the command line or drive the terminal is refused before anything reaches the device. */
    @Test
    void commentsWithControlCharactersOrTooLongAreRefused() {
        LabDevice device = Lab.junos().get(51);
        String id = Lab.id(device);
        List<String> before = commitHistory(id);
        for (String mode : List.of("check", "commit", "commit-confirmed")) {
            for (String comment : List.of("first\nrollback 1\ncommit", "carriage\rreturn", "tab\tcompletion", "ctrl-c \u0003",
                    "escape \u001b[2J", "ctrl-u \u0015", "delete \u007f", "line\u2028separator", "next line \u0085", "x".repeat(201))) {
                as("admin").contentType("application/json").body(Map.of("lines", List.of("set snmp location refused"), "mode", mode,
                        "comment", comment)).when().post("/api/v1/devices/" + id + "/config").then().statusCode(400)
                        .contentType("application/problem+json").body("errors[0].field", equalTo("comment"));
            }
        }
        assertThat(commitHistory(id)).isEqualTo(before);
        assertThat(device.activeConfiguration()).doesNotContain("set snmp location refused");
    }

    @Test
    void linuxHostsHaveNoConfigPush() {
        as("viewer").when().get("/api/v1/devices/" + Lab.id(Lab.linux().get(0)) + "/config").then().statusCode(409)
                .body("type", equalTo("urn:junoscommander:problem:unsupported-platform"));
    }
}
