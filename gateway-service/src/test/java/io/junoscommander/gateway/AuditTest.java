package io.junoscommander.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import io.junoscommander.infra.testing.InfraTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Every mutating request and every device command is recorded in PostgreSQL and on the audit logger; admins query it. */
@QuarkusTest
@QuarkusTestResource(InfraTestResource.class)
@QuarkusTestResource(DownstreamTestResource.class)
class AuditTest {

    @Test
    void mutatingRequestsAndDeviceCommandsAreAuditedWithWhoWhatTargetResultAndRequestId() {
        String operator = Api.userToken("audit-operator", "operator");
        String viewer = Api.userToken("audit-viewer", "viewer");
        String run = UUID.randomUUID().toString().substring(0, 8);
        try (LogCapture audit = LogCapture.of("audit")) {
            Api.asAdmin().header("X-Request-Id", "audit-create-" + run).contentType("application/json")
                    .body(Map.of("username", "audited-" + run, "password", Api.PASSWORD, "role", "viewer")).when().post("/api/v1/users")
                    .then().statusCode(201);
            Api.as(operator).header("X-Request-Id", "audit-command-" + run).contentType("application/json")
                    .body("{\"command\":\"show version\"}").when().post("/api/v1/devices/r7/commands").then().statusCode(404);
            Api.as(viewer).header("X-Request-Id", "audit-denied-" + run).contentType("application/json").body("{}").when()
                    .post("/api/v1/devices").then().statusCode(403);
            Api.asAdmin().header("X-Request-Id", "audit-host-key-" + run).when()
                    .delete("/api/v1/devices/" + UUID.randomUUID() + "/host-key").then().statusCode(org.hamcrest.Matchers.lessThan(500));
            // reads are not audited
            Api.as(viewer).header("X-Request-Id", "audit-read-" + run).when().get("/api/v1/devices").then().statusCode(200);

            JsonPath created = awaitEvent("audit-create-" + run);
            assertThat(created.getString("items[0].actor")).isEqualTo("admin");
            assertThat(created.getString("items[0].role")).isEqualTo("admin");
            assertThat(created.getString("items[0].action")).isEqualTo("users.create");
            assertThat(created.getString("items[0].target")).isEqualTo("/api/v1/users");
            assertThat(created.getInt("items[0].status")).isEqualTo(201);
            assertThat(created.getString("items[0].result")).isEqualTo("success");
            assertThat(created.getString("items[0].occurredAt")).isNotBlank();

            JsonPath command = awaitEvent("audit-command-" + run);
            assertThat(command.getString("items[0].actor")).isEqualTo("audit-operator");
            assertThat(command.getString("items[0].role")).isEqualTo("operator");
            assertThat(command.getString("items[0].action")).isEqualTo("device.command");
            assertThat(command.getString("items[0].target")).isEqualTo("/api/v1/devices/r7/commands");
            assertThat(command.getString("items[0].result")).isEqualTo("failure");

            // a device's pinned host key is not the device: an action of its own
            assertThat(awaitEvent("audit-host-key-" + run).getString("items[0].action")).isEqualTo("devices.host-key.delete");

            JsonPath denied = awaitEvent("audit-denied-" + run);
            assertThat(denied.getString("items[0].actor")).isEqualTo("audit-viewer");
            assertThat(denied.getString("items[0].result")).isEqualTo("denied");
            assertThat(denied.getInt("items[0].status")).isEqualTo(403);

            Api.asAdmin().queryParam("requestId", "audit-read-" + run).when().get("/api/v1/audit").then().statusCode(200)
                    .body("total", equalTo(0));
            assertThat(audit.messages()).anySatisfy(m -> assertThat(m).contains("actor=audit-operator").contains("action=device.command")
                    .contains("requestId=audit-command-" + run).contains("status=404"));
            assertThat(String.join("\n", audit.messages())).doesNotContain(Api.PASSWORD);
        }
    }

    @Test
    void auditIsFilteredPagedAndForAdminsOnly() {
        String operator = Api.userToken("audit-pager", "operator");
        for (int i = 0; i < 3; i++) {
            Api.as(operator).contentType("application/json").body("{}").when().post("/api/v1/devices/r" + i + "/commands").then()
                    .statusCode(404);
        }
        Awaiting.until(Duration.ofSeconds(10), () -> Api.asAdmin().queryParam("actor", "audit-pager").when().get("/api/v1/audit").then()
                .extract().jsonPath().getInt("total") >= 3);
        JsonPath page = Api.asAdmin().queryParam("actor", "audit-pager").queryParam("action", "device.command").queryParam("limit", 2)
                .when().get("/api/v1/audit").then().statusCode(200).extract().jsonPath();
        assertThat(page.getInt("total")).isEqualTo(3);
        assertThat(page.getList("items")).hasSize(2);
        assertThat(page.getString("items[0].target")).isEqualTo("/api/v1/devices/r2/commands");
        JsonPath next = Api.asAdmin().queryParam("actor", "audit-pager").queryParam("limit", 2).queryParam("offset", 2).when()
                .get("/api/v1/audit").then().statusCode(200).extract().jsonPath();
        assertThat(next.getString("items[0].target")).isEqualTo("/api/v1/devices/r0/commands");
        Api.asAdmin().queryParam("since", "2999-01-01T00:00:00Z").when().get("/api/v1/audit").then().statusCode(200)
                .body("total", equalTo(0));
        Api.asAdmin().queryParam("since", "yesterday").when().get("/api/v1/audit").then().statusCode(400)
                .body("errors[0].field", equalTo("since"));
        Api.as(operator).when().get("/api/v1/audit").then().statusCode(403).contentType("application/problem+json");
    }

    private static JsonPath awaitEvent(String requestId) {
        JsonPath[] found = new JsonPath[1];
        Awaiting.until(Duration.ofSeconds(10), () -> {
            found[0] = Api.asAdmin().queryParam("requestId", requestId).when().get("/api/v1/audit").then().statusCode(200).extract()
                    .jsonPath();
            return found[0].getInt("total") == 1;
        });
        return found[0];
    }
}
