package io.junoscommander.task;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;

import io.junoscommander.infra.testing.InfraTestResource;
import io.junoscommander.infra.testing.InternalTokens;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.specification.RequestSpecification;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** A schedule's life through the API (stored as a Panache entity): create, a name taken once, replace, list, delete. */
@QuarkusTest
@QuarkusTestResource(InfraTestResource.class)
class ScheduleApiTest {

    private final String run = UUID.randomUUID().toString().substring(0, 8);

    @Test
    void aScheduleIsCreatedReplacedListedAndDeletedAndANameIsTakenOnce() {
        // disabled: this JVM has no device service to fire it at
        Map<String, Object> nightly = schedule("nightly-" + run, "0 2 * * *", List.of("show version"));
        JsonPath created = operator().body(nightly).when().post("/api/v1/schedules").then().statusCode(201)
                .body("name", equalTo("nightly-" + run)).body("enabled", equalTo(false)).body("createdBy", equalTo("it-operator"))
                .body("template.commands[0]", equalTo("show version")).extract().jsonPath();
        String id = created.getString("id");
        operator().body(nightly).when().post("/api/v1/schedules").then().statusCode(409).contentType("application/problem+json")
                .body("detail", containsString("nightly-" + run));

        String other = operator().body(schedule("other-" + run, "0 3 * * *", List.of("show version"))).when()
                .post("/api/v1/schedules").then().statusCode(201).extract().path("id");
        operator().body(nightly).when().put("/api/v1/schedules/" + other).then().statusCode(409).contentType("application/problem+json");

        JsonPath replaced = operator().body(schedule("nightly-" + run, "30 1 * * *", List.of("show system uptime"))).when()
                .put("/api/v1/schedules/" + id).then().statusCode(200).body("cron", equalTo("30 1 * * *"))
                .body("template.commands[0]", equalTo("show system uptime")).extract().jsonPath();
        assertThat(OffsetDateTime.parse(replaced.getString("createdAt")).toInstant())
                .isEqualTo(OffsetDateTime.parse(created.getString("createdAt")).toInstant());
        viewer().when().get("/api/v1/schedules/" + id).then().statusCode(200).body("cron", equalTo("30 1 * * *"))
                .body("template.commands[0]", equalTo("show system uptime")).body("template.target.all", equalTo(true));
        viewer().when().get("/api/v1/schedules").then().statusCode(200).body("name", hasItem("nightly-" + run))
                .body("name", hasItem("other-" + run));

        operator().body(schedule("ghost-" + run, "0 2 * * *", List.of("show version"))).when()
                .put("/api/v1/schedules/" + UUID.randomUUID()).then().statusCode(404).contentType("application/problem+json");
        operator().when().delete("/api/v1/schedules/" + id).then().statusCode(204);
        viewer().when().get("/api/v1/schedules/" + id).then().statusCode(404).contentType("application/problem+json");
        viewer().when().get("/api/v1/schedules").then().statusCode(200).body("name", not(hasItem("nightly-" + run)));
        operator().when().delete("/api/v1/schedules/" + id).then().statusCode(404);
    }

    private static Map<String, Object> schedule(String name, String cron, List<String> commands) {
        return Map.of("name", name, "cron", cron, "enabled", false, "template", Map.of("name", name, "commands", commands, "target",
                Map.of("all", true)));
    }

    private static RequestSpecification operator() {
        return given().header("Authorization", InternalTokens.bearer("it-operator", "operator")).contentType("application/json");
    }

    private static RequestSpecification viewer() {
        return given().header("Authorization", InternalTokens.bearer("it-viewer", "viewer"));
    }
}
