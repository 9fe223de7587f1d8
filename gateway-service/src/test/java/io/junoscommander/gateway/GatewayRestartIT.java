package io.junoscommander.gateway;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import io.junoscommander.infra.testing.PackagedService;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Sessions survive a gateway restart: the packaged gateway ({@code target/quarkus-app}) runs as a real process, a user logs in,
 * the process is stopped (SIGTERM, as Kubernetes does) and a new one started; the same token still works and its session is
 * still listed. Nothing about sessions lives in the process. Runs in {@code verify} after the jar is built (failsafe).
 */
class GatewayRestartIT {

    private PackagedService gateway;

    @Test
    void sessionCreatedBeforeARestartIsServedAfterIt() throws Exception {
        int port = DownstreamTestResource.freePort();
        String base = "http://127.0.0.1:" + port;
        gateway = start(port);
        String token = given().baseUri(base).contentType("application/json").body(Map.of("username", "admin", "password",
                Api.ADMIN_PASSWORD)).when().post("/api/v1/auth/login").then().statusCode(200).extract().path("token");
        given().baseUri(base).header("Authorization", "Bearer " + token).when().get("/api/v1/auth/me").then().statusCode(200);

        gateway.stop();
        assertThat(gateway.isAlive()).isFalse();
        assertThat(DownstreamTestResource.status(base + "/openapi")).isEqualTo(-1);

        gateway = start(port);
        given().baseUri(base).header("Authorization", "Bearer " + token).when().get("/api/v1/auth/me").then().statusCode(200)
                .body("username", equalTo("admin")).body("credential", equalTo("session"));
        given().baseUri(base).header("Authorization", "Bearer " + token).when().get("/api/v1/auth/sessions").then().statusCode(200)
                .body("find { it.current }.username", equalTo("admin"));
    }

    private static PackagedService start(int port) {
        return PackagedService.of("gateway-service").name("gateway-restart-" + port).port(port)
                .environment(PackagedService.testEnvironment()).environment(Map.of("ADMIN_USERNAME", "admin", "ADMIN_PASSWORD",
                        Api.ADMIN_PASSWORD, "DEVICE_SERVICE_URL", "http://127.0.0.1:1")).start();
    }

    @AfterEach
    void stop() {
        if (gateway != null) {
            gateway.close();
        }
    }
}
