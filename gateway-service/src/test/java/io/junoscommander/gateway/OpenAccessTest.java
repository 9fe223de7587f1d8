package io.junoscommander.gateway;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.junoscommander.infra.testing.InfraTestResource;
import io.junoscommander.infra.testing.ServiceFoundationContract;
import io.junoscommander.infra.testing.SharedInfra;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.net.URL;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Nothing answers without credentials on the public port except login and the API description: every operation the OpenAPI
 * document lists (the gateway's own and the routed ones; /test/ is test-only code) is called anonymously and must be
 * refused with problem+json 401. Health and metrics are open, but only on the management port.
 */
@QuarkusTest
@QuarkusTestResource(InfraTestResource.class)
@QuarkusTestResource(DownstreamTestResource.class)
class OpenAccessTest {

    /** Health and metrics answer only on the management interface. */
    @TestHTTPResource(value = "/", management = true)
    URL management;

    private io.restassured.specification.RequestSpecification onManagement() {
        return given().port(ServiceFoundationContract.managementPort(management));
    }

    private static final Set<String> OPEN = Set.of("POST /api/v1/auth/login");

    @Test
    void anonymousDetailedHealthOnThePublicPortIsNotFoundAndNamesNoInternalAddress() {
        String body = given().when().get("/health/detailed").then().statusCode(404).contentType("application/problem+json")
                .extract().asString();
        assertThat(body).doesNotContain(":" + SharedInfra.harness().settings().ports().pgBouncer())
                .doesNotContain(SharedInfra.harness().redisMaster()).doesNotContain("sentinel");
        given().when().get("/metrics").then().statusCode(404).contentType("application/problem+json");
        // the management port still names them for an operator
        assertThat(onManagement().when().get("/health/detailed").then().statusCode(200).extract().asString())
                .contains(":" + SharedInfra.harness().settings().ports().pgBouncer());
    }

    @Test
    void everyDocumentedOperationRefusesAnonymousCalls() {
        PublicApiDocumentTest.mergedDocument();
        JsonPath document = given().accept("application/json").when().get("/openapi").then().statusCode(200).extract().jsonPath();
        Map<String, Map<String, Object>> paths = document.getMap("paths");
        assertThat(paths).containsKeys("/api/v1/auth/login", "/api/v1/users", "/api/v1/audit", "/api/v1/tokens",
                "/api/v1/devices/{id}", "/api/v1/devices/{id}/commands", "/api/v1/credentials", "/api/v1/tasks/{id}/events",
                "/api/v1/backups");
        List<String> open = new ArrayList<>();
        int checked = 0;
        for (var path : paths.entrySet()) {
            if (path.getKey().startsWith("/test/") || path.getKey().startsWith("/health")) {
                continue;
            }
            for (String method : path.getValue().keySet()) {
                if (!Set.of("get", "post", "put", "patch", "delete").contains(method)) {
                    continue;
                }
                String operation = method.toUpperCase() + " " + path.getKey();
                String concrete = path.getKey().replaceAll("\\{[^}]+}", "x1");
                var response = given().contentType("application/json").body("{}").when().request(method.toUpperCase(), concrete).then()
                        .extract();
                checked++;
                if (OPEN.contains(operation)) {
                    assertThat(response.statusCode()).as(operation).isNotIn(401, 403);
                } else if (response.statusCode() != 401 || !response.contentType().startsWith("application/problem+json")) {
                    open.add(operation + " -> " + response.statusCode());
                }
            }
        }
        assertThat(open).isEmpty();
        assertThat(checked).isGreaterThan(25);
    }

    @Test
    void healthMetricsAndTheApiDescriptionAreOpen() {
        for (String path : List.of("/health", "/health/live", "/health/ready", "/health/started", "/health/detailed", "/metrics")) {
            onManagement().when().get(path).then().statusCode(200);
        }
        given().when().get("/openapi").then().statusCode(200);
        given().when().get("/swagger-ui/").then().statusCode(200);
        // a bare internal token forged without the platform key is refused like any bad credential
        given().header("Authorization", "Bearer eyJhbGciOiJub25lIn0.eyJ1cG4iOiJhZG1pbiJ9.").when().get("/api/v1/devices").then()
                .statusCode(401);
        given().header("Authorization", "Bearer jcs_not-a-session").when().get("/api/v1/auth/me").then().statusCode(401)
                .contentType("application/problem+json");
    }
}
