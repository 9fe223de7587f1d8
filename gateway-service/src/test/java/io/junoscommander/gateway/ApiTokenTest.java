package io.junoscommander.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import io.junoscommander.gateway.security.Tokens;
import io.junoscommander.infra.InfraHarness;
import io.junoscommander.infra.testing.InfraTestResource;
import io.junoscommander.infra.testing.SharedInfra;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** API tokens: shown once, hashed in PostgreSQL, role capped by the creator's, last use kept, revocable, rate-limited. */
@QuarkusTest
@QuarkusTestResource(InfraTestResource.class)
@QuarkusTestResource(DownstreamTestResource.class)
class ApiTokenTest {

    private final InfraHarness infra = SharedInfra.harness();

    @Test
    void tokenIsShownOnceStoredHashedUsableAndRevocable() {
        String operator = Api.userToken("ivan-operator", "operator");
        var created = Api.as(operator).contentType("application/json").body(Map.of("name", "ci pipeline", "role", "viewer",
                "expiresInDays", 30)).when().post("/api/v1/tokens").then().statusCode(201).body("details.role", equalTo("viewer"))
                .body("details.username", equalTo("ivan-operator")).extract().jsonPath();
        String token = created.getString("token");
        String id = created.getString("details.id");
        assertThat(token).startsWith("jct_").hasSize(4 + 43);

        var rows = infra.queryAsSuperuser("SELECT token_hash, last_used_at FROM gateway.api_token WHERE id = '" + id + "'");
        assertThat(rows.get(0).get("token_hash")).isEqualTo(Tokens.sha256(token));
        assertThat(rows.get(0).get("last_used_at")).isNullOrEmpty();
        assertThat(infra.queryAsSuperuser("SELECT count(*) AS n FROM gateway.api_token WHERE token_hash LIKE '%" + token.substring(4, 14)
                + "%'").get(0).get("n")).isEqualTo("0");

        String listed = Api.as(operator).when().get("/api/v1/tokens").then().statusCode(200).extract().asString();
        assertThat(listed).contains(id).doesNotContain(token);

        Api.as(token).when().get("/api/v1/auth/me").then().statusCode(200).body("username", equalTo("ivan-operator"))
                .body("role", equalTo("viewer")).body("credential", equalTo("api-token"));
        // the token's role, not its creator's, decides
        Api.as(token).when().post("/api/v1/test-stream/flaky/token-write").then().statusCode(403);
        Api.as(token).when().get("/api/v1/device-instances").then().statusCode(200);
        assertThat(infra.queryAsSuperuser("SELECT last_used_at FROM gateway.api_token WHERE id = '" + id + "'").get(0)
                .get("last_used_at")).isNotEmpty();

        Api.as(operator).when().delete("/api/v1/tokens/" + id).then().statusCode(204);
        Api.as(token).when().get("/api/v1/auth/me").then().statusCode(401);
        Api.as(token).when().get("/api/v1/device-instances").then().statusCode(401).contentType("application/problem+json");
    }

    @Test
    void disablingAUserRevokesTheirTokensForGood() {
        String user = "tess-" + java.util.UUID.randomUUID().toString().substring(0, 8);
        String session = Api.userToken(user, "operator");
        String token = Api.as(session).contentType("application/json").body(Map.of("name", "nightly", "role", "viewer")).when()
                .post("/api/v1/tokens").then().statusCode(201).extract().path("token");
        Api.as(token).when().get("/api/v1/auth/me").then().statusCode(200);

        Api.asAdmin().contentType("application/json").body(Map.of("enabled", false)).when().patch("/api/v1/users/" + user).then()
                .statusCode(200);
        Api.as(token).when().get("/api/v1/auth/me").then().statusCode(401);
        Api.asAdmin().contentType("application/json").body(Map.of("enabled", true)).when().patch("/api/v1/users/" + user).then()
                .statusCode(200);
        // enabled again, the user signs in anew; the old token stays revoked
        Api.as(token).when().get("/api/v1/auth/me").then().statusCode(401).contentType("application/problem+json");
        assertThat(infra.queryAsSuperuser("SELECT count(*) AS n FROM gateway.api_token WHERE username = '" + user
                + "' AND revoked_at IS NULL").get(0).get("n")).isEqualTo("0");
    }

    @Test
    void tokenRoleCannotExceedTheCreatorsAndOthersTokensAreHidden() {
        String viewer = Api.userToken("judy-viewer", "viewer");
        Api.as(viewer).contentType("application/json").body(Map.of("name", "too strong", "role", "admin")).when().post("/api/v1/tokens")
                .then().statusCode(400).body("errors[0].field", equalTo("role"));
        String id = Api.as(viewer).contentType("application/json").body(Map.of("name", "mine", "role", "viewer")).when()
                .post("/api/v1/tokens").then().statusCode(201).extract().path("details.id");
        String other = Api.userToken("ivan-operator", "operator");
        Api.as(other).when().delete("/api/v1/tokens/" + id).then().statusCode(404);
        Api.as(viewer).queryParam("all", true).when().get("/api/v1/tokens").then().statusCode(403);
        List<String> all = Api.asAdmin().queryParam("all", true).when().get("/api/v1/tokens").then().statusCode(200).extract().jsonPath()
                .getList("id");
        assertThat(all).contains(id);
    }

    @Test
    void aTokenWithItsOwnLimitIsRateLimitedWith429AndRetryAfter() {
        String operator = Api.userToken("ivan-operator", "operator");
        var created = Api.as(operator).contentType("application/json").body(Map.of("name", "slow bot", "role", "viewer",
                "rateLimitPerMinute", 3)).when().post("/api/v1/tokens").then().statusCode(201).extract().jsonPath();
        String token = created.getString("token");
        for (int i = 0; i < 3; i++) {
            Api.as(token).when().get("/api/v1/device-instances").then().statusCode(200);
        }
        var limited = Api.as(token).when().get("/api/v1/device-instances").then().statusCode(429).contentType("application/problem+json")
                .body("type", equalTo("urn:junoscommander:problem:rate-limited")).extract();
        assertThat(Integer.parseInt(limited.header("Retry-After"))).isBetween(1, 21);
        // the gateway's own APIs draw from the same bucket
        Api.as(token).when().get("/api/v1/auth/me").then().statusCode(429).header("Retry-After", org.hamcrest.Matchers.notNullValue());
        // the bucket is reconciled with Redis, where every replica finds it
        String master = infra.redisMaster();
        int port = Integer.parseInt(master.substring(master.lastIndexOf(':') + 1));
        Awaiting.until(java.time.Duration.ofSeconds(5),
                () -> "1".equals(infra.redisCli(port, "EXISTS", "gw:ratelimit:token:" + created.getString("details.id"))));
        // another caller is not affected
        Api.as(operator).when().get("/api/v1/device-instances").then().statusCode(200);
    }
}
