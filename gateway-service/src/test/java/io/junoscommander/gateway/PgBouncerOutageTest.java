package io.junoscommander.gateway;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.junoscommander.infra.InfraHarness;
import io.junoscommander.infra.testing.InfraTestResource;
import io.junoscommander.infra.testing.InternalTokens;
import io.junoscommander.infra.testing.ServiceFoundationContract;
import io.junoscommander.infra.testing.SharedInfra;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import java.net.URL;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Readiness follows PgBouncer down and back up, and the service recovers without a restart. */
@QuarkusTest
@QuarkusTestResource(InfraTestResource.class)
class PgBouncerOutageTest {

    /** Health and metrics answer only on the management interface. */
    @TestHTTPResource(value = "/", management = true)
    URL management;

    private io.restassured.specification.RequestSpecification onManagement() {
        return given().port(ServiceFoundationContract.managementPort(management));
    }

    private final InfraHarness infra = SharedInfra.harness();

    @Test
    void readinessGoesDownWithPgBouncerAndComesBackWithIt() {
        assertThat(readiness().statusCode()).isEqualTo(200);

        long stoppedAt = System.nanoTime();
        infra.stopPgBouncer();
        try {
            Awaiting.until(Duration.ofSeconds(5), () -> {
                Response ready = readiness();
                return ready.statusCode() == 503
                        && "DOWN".equals(ready.jsonPath().getString("checks.find { it.name == 'postgresql' }.status"));
            });
            System.out.printf("readiness DOWN %.1f s after PgBouncer stopped%n", (System.nanoTime() - stoppedAt) / 1e9);
            // Redis is unaffected: only the PostgreSQL component is down
            assertThat(readiness().jsonPath().getString("checks.find { it.name == 'redis' }.status")).isEqualTo("UP");
            given().header("Authorization", InternalTokens.bearer("ops", "viewer")).when().get("/api/v1/instances").then()
                    .statusCode(500).contentType("application/problem+json");
        } finally {
            infra.startPgBouncer();
        }

        Awaiting.until(Duration.ofSeconds(15), () -> readiness().statusCode() == 200);
        given().header("Authorization", InternalTokens.bearer("ops", "viewer")).when().get("/api/v1/instances").then().statusCode(200);
    }

    private Response readiness() {
        return onManagement().when().get("/health/ready");
    }
}
