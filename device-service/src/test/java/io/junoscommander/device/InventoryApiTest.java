package io.junoscommander.device;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.containsString;

import io.junoscommander.infra.testing.InfraTestResource;
import io.junoscommander.infra.testing.InternalTokens;
import io.junoscommander.infra.testing.SharedInfra;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.specification.RequestSpecification;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(InfraTestResource.class)
class InventoryApiTest {

    private final String run = UUID.randomUUID().toString().substring(0, 8);

    static RequestSpecification as(String role) {
        return given().header("Authorization", InternalTokens.bearer("test-" + role, role));
    }

    @Test
    void createReadUpdateDeleteADevice() {
        String location = as("admin").contentType("application/json").body(Map.of("name", "r-" + run, "host", "10.0.0.1", "platform",
                "junos", "site", "ams1", "tags", List.of("core", "edge"), "attributes", Map.of("rack", "A3", "u", 12))).when()
                .post("/api/v1/devices").then().statusCode(201).header("Location", containsString("/api/v1/devices/"))
                .body("port", equalTo(22)).body("enabled", equalTo(true)).extract().header("Location");

        as("viewer").when().get(location).then().statusCode(200).body("name", equalTo("r-" + run))
                .body("tags", containsInAnyOrder("core", "edge")).body("attributes.rack", equalTo("A3")).body("attributes.u", equalTo(12));

        as("admin").contentType("application/json").body(Map.of("name", "r-" + run, "host", "10.0.0.2", "port", 830, "platform", "junos",
                "tags", List.of("core"), "enabled", false)).when().put(location).then().statusCode(200).body("host", equalTo("10.0.0.2"))
                .body("port", equalTo(830)).body("enabled", equalTo(false));

        as("admin").when().delete(location).then().statusCode(204);
        as("viewer").when().get(location).then().statusCode(404).contentType("application/problem+json");
    }

    @Test
    void onlyAdminsChangeTheInventory() {
        Map<String, Object> body = Map.of("name", "r-ro-" + run, "host", "10.0.0.9", "platform", "junos");
        as("viewer").contentType("application/json").body(body).when().post("/api/v1/devices").then().statusCode(403)
                .contentType("application/problem+json");
        as("operator").contentType("application/json").body(body).when().post("/api/v1/devices").then().statusCode(403);
        given().contentType("application/json").body(body).when().post("/api/v1/devices").then().statusCode(401);
        as("viewer").when().get("/api/v1/devices?namePrefix=r-ro-" + run).then().statusCode(200).body("total", equalTo(0));
    }

    @Test
    void invalidDeviceNamesEveryOffendingFieldAndStoresNothing() {
        as("admin").contentType("application/json").body(Map.of("name", "bad name!", "host", "", "port", 70000, "platform", "Junos"))
                .when().post("/api/v1/devices").then().statusCode(400).contentType("application/problem+json")
                .body("type", equalTo("urn:junoscommander:problem:validation"))
                .body("errors.field", containsInAnyOrder("host", "name", "platform", "port"));
        as("admin").contentType("application/json").body(Map.of("name", "r-cred-" + run, "host", "h", "platform", "junos", "credentialId",
                UUID.randomUUID().toString())).when().post("/api/v1/devices").then().statusCode(400).body("errors[0].field",
                        equalTo("credentialId"));
        assertThat(SharedInfra.harness().queryAsSuperuser("SELECT name FROM device.device WHERE name LIKE 'r-cred-" + run + "%'"))
                .isEmpty();
    }

    @Test
    void duplicateNameIsAConflict() {
        Map<String, Object> body = Map.of("name", "r-dup-" + run, "host", "10.0.0.1", "platform", "linux");
        as("admin").contentType("application/json").body(body).when().post("/api/v1/devices").then().statusCode(201);
        as("admin").contentType("application/json").body(body).when().post("/api/v1/devices").then().statusCode(409)
                .contentType("application/problem+json");
    }

    @Test
    void filtersAndStablePaginationWithTotal() {
        List<Map<String, Object>> devices = new ArrayList<>();
        for (int i = 0; i < 25; i++) {
            devices.add(Map.of("name", String.format("f-%s-%02d", run, i), "host", "192.0.2." + i, "platform",
                    i % 5 == 0 ? "linux" : "junos", "site", i < 10 ? "ams1" : "fra2", "tags",
                    i % 2 == 0 ? List.of("core", "even") : List.of("edge")));
        }
        as("admin").contentType("application/json").body(devices).when().post("/api/v1/devices/import").then().statusCode(200)
                .body("imported", equalTo(25));

        String prefix = "f-" + run + "-";
        List<String> seen = new ArrayList<>();
        for (int page = 0; page < 3; page++) {
            JsonPath body = as("viewer").when().get("/api/v1/devices?namePrefix=" + prefix + "&size=10&page=" + page).then()
                    .statusCode(200).body("total", equalTo(25)).extract().jsonPath();
            seen.addAll(body.getList("items.name"));
        }
        assertThat(seen).hasSize(25).doesNotHaveDuplicates().isSorted();

        as("viewer").when().get("/api/v1/devices?namePrefix=" + prefix + "&tag=core&tag=even&site=ams1").then().statusCode(200)
                .body("total", equalTo(5));
        as("viewer").when().get("/api/v1/devices?namePrefix=" + prefix + "&platform=linux").then().statusCode(200)
                .body("total", equalTo(5)).body("items.platform", everyItemIs("linux"));
        as("viewer").when().get("/api/v1/devices?size=5000").then().statusCode(400).body("errors[0].field", equalTo("size"));
        // LIKE wildcards in a prefix are literal
        as("viewer").when().get("/api/v1/devices?namePrefix=f-%25").then().statusCode(200).body("total", equalTo(0));
    }

    @Test
    void importOfAThousandDevicesIsAllOrNothingAndReportsEveryBadRow() {
        List<Map<String, Object>> devices = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            devices.add(Map.of("name", "bulk-" + run + "-" + i, "host", "198.51.100." + (i % 250), "platform", "junos",
                    "tags", List.of("bulk")));
        }
        devices.set(10, Map.of("name", "bulk-" + run + "-10", "host", "h", "platform", "junos", "port", 0));
        devices.set(500, Map.of("name", "bulk-" + run + "-1", "host", "h", "platform", "junos"));
        as("admin").contentType("application/json").body(devices).when().post("/api/v1/devices/import").then().statusCode(400)
                .contentType("application/problem+json").body("errors.line", containsInAnyOrder(11, 501))
                .body("errors.field", containsInAnyOrder("port", "name"));
        as("viewer").when().get("/api/v1/devices?namePrefix=bulk-" + run).then().body("total", equalTo(0));

        devices.set(10, Map.of("name", "bulk-" + run + "-10", "host", "h", "platform", "junos", "port", 22, "tags", List.of("bulk")));
        devices.set(500, Map.of("name", "bulk-" + run + "-500", "host", "h", "platform", "junos", "tags", List.of("bulk")));
        as("admin").contentType("application/json").body(devices).when().post("/api/v1/devices/import").then().statusCode(200)
                .body("imported", equalTo(1000));
        as("viewer").when().get("/api/v1/devices?namePrefix=bulk-" + run + "&tag=bulk&size=1").then().body("total", equalTo(1000));

        // the same names again: refused unless updateExisting
        as("admin").contentType("application/json").body(devices.subList(0, 3)).when().post("/api/v1/devices/import").then()
                .statusCode(400).body("errors.field", hasItem("name"));
        as("admin").contentType("application/json").body(devices.subList(0, 3)).when().post("/api/v1/devices/import?updateExisting=true")
                .then().statusCode(200).body("imported", equalTo(3));
    }

    @Test
    void csvImportReportsBadLinesAndThenImports() {
        String credentialId = as("admin").contentType("application/json").body(Map.of("name", "csv-" + run, "username", "lab", "password",
                "lab")).when().post("/api/v1/credentials").then().statusCode(201).extract().path("id");
        String bad = "name,host,port,platform,site,tags,credential\n"
                + "csv-" + run + "-a,10.1.0.1,22,junos,ams1,core;edge,csv-" + run + "\n"
                + "csv-" + run + "-b,10.1.0.2,abc,junos,ams1,core,csv-" + run + "\n"
                + "\"csv-" + run + "-c\",10.1.0.3,22,junos,ams1,\"core;edge\",no-such-credential\n";
        as("admin").contentType("text/csv").body(bad).when().post("/api/v1/devices/import").then().statusCode(400)
                .body("errors.line", hasItem(3));
        String good = "name,host,port,platform,site,tags,credential\n"
                + "csv-" + run + "-a,10.1.0.1,22,junos,ams1,core;edge,csv-" + run + "\n"
                + "csv-" + run + "-b,10.1.0.2,2222,linux,ams1,core," + credentialId + "\n";
        as("admin").contentType("text/csv").body(good).when().post("/api/v1/devices/import").then().statusCode(200)
                .body("imported", equalTo(2));
        as("viewer").when().get("/api/v1/devices?namePrefix=csv-" + run + "&tag=edge").then().body("total", equalTo(1))
                .body("items[0].credentialId", equalTo(credentialId)).body("items[0].tags", containsInAnyOrder("core", "edge"));
    }

    private static org.hamcrest.Matcher<Iterable<? super String>> everyItemIs(String value) {
        return org.hamcrest.Matchers.not(hasItem(org.hamcrest.Matchers.not(value)));
    }
}
