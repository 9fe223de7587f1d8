package io.junoscommander.gateway;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import io.junoscommander.infra.InfraHarness;
import io.junoscommander.infra.testing.InfraTestResource;
import io.junoscommander.infra.testing.SharedInfra;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ValidatableResponse;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Failed logins are counted in Redis per user and per address, then locked; the security log has them, without passwords. */
@QuarkusTest
@QuarkusTestResource(InfraTestResource.class)
@QuarkusTestResource(DownstreamTestResource.class)
class BruteForceTest {

    private final InfraHarness infra = SharedInfra.harness();

    @Test
    void repeatedFailuresLockTheUserEvenForTheRightPasswordAndAreLoggedWithoutPasswords() {
        Api.createUser("mallory-target", "viewer", Api.PASSWORD);
        try (LogCapture security = LogCapture.of("security")) {
            for (int i = 1; i <= 5; i++) {
                login("mallory-target", "guess-number-" + i, "192.0.2." + i).statusCode(401);
            }
            // locked: the right password from a fresh address is refused too, with a Retry-After
            ValidatableResponse locked = login("mallory-target", Api.PASSWORD, "192.0.2.99").statusCode(429)
                    .contentType("application/problem+json").body("type", equalTo("urn:junoscommander:problem:login-locked"));
            assertThat(Integer.parseInt(locked.extract().header("Retry-After"))).isBetween(60, 15 * 60);
            // the counter lives in Redis (shared by every replica)
            String master = infra.redisMaster();
            int port = Integer.parseInt(master.substring(master.lastIndexOf(':') + 1));
            assertThat(infra.redisCli(port, "GET", "gw:login-failures:user:mallory-target")).isEqualTo("5");

            assertThat(security.messages()).anySatisfy(m -> assertThat(m).contains("login failed").contains("user=mallory-target")
                    .contains("address=192.0.2.1").contains("reason=wrong-password"));
            assertThat(security.messages()).anySatisfy(m -> assertThat(m).contains("login refused").contains("reason=locked"));
            assertThat(String.join("\n", security.messages())).doesNotContain("guess-number").doesNotContain(Api.PASSWORD);
        }
        // an admin's password reset does not lift the lock early, but another user is unaffected
        login(Api.ADMIN, Api.ADMIN_PASSWORD, "192.0.2.100").statusCode(200);
    }

    @Test
    void repeatedFailuresFromOneAddressLockThatAddressForEveryUser() {
        String sprayer = "203.0.113.66";
        for (int i = 0; i < 20; i++) {
            login("spray-victim-" + i, "password-spray", sprayer).statusCode(401);
        }
        login(Api.ADMIN, Api.ADMIN_PASSWORD, sprayer).statusCode(429).header("Retry-After", org.hamcrest.Matchers.notNullValue());
        login(Api.ADMIN, Api.ADMIN_PASSWORD, "203.0.113.67").statusCode(200);
    }

    private static ValidatableResponse login(String username, String password, String address) {
        return given().header("X-Forwarded-For", address).contentType("application/json")
                .body(Map.of("username", username, "password", password)).when().post("/api/v1/auth/login").then();
    }
}
