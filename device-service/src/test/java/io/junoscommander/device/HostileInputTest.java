package io.junoscommander.device;

import static io.junoscommander.device.InventoryApiTest.as;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import io.junoscommander.infra.testing.InfraTestResource;
import io.junoscommander.infra.testing.SharedInfra;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * What an attacker or a careless script sends: NUL characters, values of the wrong JSON type, commands that are only
 * whitespace or control characters. Each is a 400 problem naming the field, and nothing is stored.
 */
@QuarkusTest
@QuarkusTestResource(InfraTestResource.class)
class HostileInputTest {

    private final String run = UUID.randomUUID().toString().substring(0, 8);

    @Test
    void nulCharacterInABodyIsRefusedNamingTheFieldAndNothingIsStored() {
        String body = "{\"name\":\"r-nul-" + run + "\\u0000x\",\"host\":\"10.0.0.1\",\"platform\":\"junos\"}";
        as("admin").contentType("application/json").body(body).when().post("/api/v1/devices").then().statusCode(400)
                .contentType("application/problem+json").body("errors[0].field", equalTo("name"))
                .body("errors[0].message", equalTo("must not contain a NUL character"));
        as("admin").contentType("application/json").body(Map.of("name", "r-nul-" + run, "host", "10.0.0.1", "platform", "junos",
                "tags", List.of("ok", "bad\u0000tag"))).when().post("/api/v1/devices").then().statusCode(400)
                .contentType("application/problem+json").body("errors[0].field", equalTo("tags[1]"));
        as("admin").contentType("application/json").body(Map.of("name", "r-nul-" + run, "host", "10.0.0.1", "platform", "junos",
                "attributes", Map.of("ra\u0000ck", "A3"))).when().post("/api/v1/devices").then().statusCode(400)
                .contentType("application/problem+json");
        as("admin").contentType("application/json").body(Map.of("name", "c-nul-" + run, "username", "ad\u0000min", "password", "x"))
                .when().post("/api/v1/credentials").then().statusCode(400).contentType("application/problem+json")
                .body("errors[0].field", equalTo("username"));
        assertThat(SharedInfra.harness().queryAsSuperuser("SELECT name FROM device.device WHERE name LIKE 'r-nul-" + run + "%'")).isEmpty();
    }

    @Test
    void nulCharacterInAFilterOrAPathIsRefusedNamingIt() {
        for (String filter : List.of("site", "namePrefix", "platform", "tag")) {
            as("viewer").urlEncodingEnabled(false).when().get("/api/v1/devices?size=5&" + filter + "=a%00b").then().statusCode(400)
                    .contentType("application/problem+json").body("errors[0].field", equalTo(filter));
        }
        as("viewer").urlEncodingEnabled(false).when().get("/api/v1/devices/a%00b").then().statusCode(400)
                .contentType("application/problem+json").body("errors[0].field", equalTo("path"));
    }

    @Test
    void numbersAndBooleansAreNotTakenAsText() {
        as("admin").contentType("application/json").body("{\"name\":true,\"host\":\"10.0.0.1\",\"platform\":\"junos\"}").when()
                .post("/api/v1/devices").then().statusCode(400).contentType("application/problem+json")
                .body("errors[0].field", equalTo("name"));
        as("admin").contentType("application/json").body("{\"name\":\"r-num-" + run + "\",\"host\":-9223372036854775809,"
                + "\"platform\":\"junos\"}").when().post("/api/v1/devices").then().statusCode(400).body("errors[0].field", equalTo("host"));
        // nor text as a number or a boolean
        as("admin").contentType("application/json").body("{\"name\":\"r-num-" + run + "\",\"host\":\"10.0.0.1\",\"port\":\"22\","
                + "\"platform\":\"junos\"}").when().post("/api/v1/devices").then().statusCode(400).body("errors[0].field", equalTo("port"));
        as("admin").contentType("application/json").body("{\"name\":\"r-num-" + run + "\",\"host\":\"10.0.0.1\",\"enabled\":\"true\","
                + "\"platform\":\"junos\"}").when().post("/api/v1/devices").then().statusCode(400)
                .body("errors[0].field", equalTo("enabled"));
        assertThat(SharedInfra.harness().queryAsSuperuser("SELECT name FROM device.device WHERE name LIKE 'r-num-" + run + "%'")).isEmpty();
    }

    @Test
    void blankOrControlCharacterCommandsAreRefusedOnOneDeviceAndInABatch() {
        String device = UUID.randomUUID().toString();
        for (String command : List.of("\t", "  ", "\u0003", "show version\u0003", "\u00a0")) {
            as("operator").contentType("application/json").body(Map.of("commands", List.of(command))).when()
                    .post("/api/v1/devices/" + device + "/commands").then().statusCode(400).contentType("application/problem+json")
                    .body("errors.field", hasItem("commands[0]"));
            for (String accept : List.of("application/json", "application/x-ndjson")) {
                as("operator").accept(accept).contentType("application/json").body(Map.of("deviceIds", List.of(device), "commands",
                        List.of("show version", command))).when().post("/api/v1/devices/commands").then().statusCode(400)
                        .contentType("application/problem+json").body("errors.field", hasItem("commands[1]"));
            }
        }
    }
}
