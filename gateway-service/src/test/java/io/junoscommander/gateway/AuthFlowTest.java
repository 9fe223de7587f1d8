package io.junoscommander.gateway;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import io.junoscommander.gateway.security.Tokens;
import io.junoscommander.infra.InfraHarness;
import io.junoscommander.infra.testing.InfraTestResource;
import io.junoscommander.infra.testing.SharedInfra;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Login, sessions in Redis (hash only, sliding expiry), cookie, me, logout, own sessions, own password. */
@QuarkusTest
@QuarkusTestResource(InfraTestResource.class)
@QuarkusTestResource(DownstreamTestResource.class)
class AuthFlowTest {

    private final InfraHarness infra = SharedInfra.harness();

    @Test
    void loginReturnsOpaqueTokenAndSecureCookieAndStoresOnlyItsHashInRedis() {
        Response login = given().contentType("application/json").body(Map.of("username", Api.ADMIN, "password", Api.ADMIN_PASSWORD))
                .when().post("/api/v1/auth/login").then().statusCode(200).body("username", equalTo("admin"))
                .body("role", equalTo("admin")).extract().response();
        String token = login.path("token");
        // 256 random bits, base64url, after the prefix
        assertThat(token).startsWith("jcs_").hasSize(4 + 43);
        Instant expiresAt = Instant.parse(login.path("expiresAt"));
        assertThat(expiresAt).isAfter(Instant.now().plusSeconds(7 * 3600)).isBefore(Instant.now().plusSeconds(8 * 3600 + 60));
        String cookie = login.header("Set-Cookie");
        assertThat(cookie).startsWith("JC_SESSION=" + token).contains("HttpOnly").contains("Secure")
                .containsIgnoringCase("SameSite=Strict");

        int master = masterPort();
        String hash = Tokens.sha256(token);
        assertThat(infra.redisCli(master, "EXISTS", "gw:session:" + hash)).isEqualTo("1");
        assertThat(infra.redisCli(master, "HGET", "gw:session:" + hash, "username")).isEqualTo("admin");
        // the token itself is nowhere in Redis
        assertThat(infra.redisCli(master, "--scan", "--pattern", "*" + token.substring(4, 20) + "*")).isEmpty();
        assertThat(infra.redisCli(master, "HGETALL", "gw:session:" + hash)).doesNotContain(token);

        // bearer and cookie both work
        Api.as(token).when().get("/api/v1/auth/me").then().statusCode(200).body("username", equalTo("admin"))
                .body("roles", equalTo(List.of("viewer", "operator", "admin"))).body("credential", equalTo("session"));
        given().cookie("JC_SESSION", token).when().get("/api/v1/auth/me").then().statusCode(200).body("username", equalTo("admin"));
    }

    @Test
    void sessionExpirySlidesWithUse() {
        String token = Api.login(Api.ADMIN, Api.ADMIN_PASSWORD);
        String key = "gw:session:" + Tokens.sha256(token);
        infra.redisCli(masterPort(), "PEXPIRE", key, "60000");
        assertThat(Long.parseLong(infra.redisCli(masterPort(), "PTTL", key))).isLessThanOrEqualTo(60_000);
        // the first use reads the session from Redis and slides it; later uses are served from the replica's cache and slide it
        // in the background
        Api.as(token).when().get("/api/v1/auth/me").then().statusCode(200);
        assertThat(Long.parseLong(infra.redisCli(masterPort(), "PTTL", key))).isGreaterThan(7 * 3600 * 1000L);
        // expired in Redis behind the gateway's back (no logout pushed to the replicas): refused once the cache confirms it again
        infra.redisCli(masterPort(), "DEL", key);
        Awaiting.until(Duration.ofSeconds(15), () -> Api.as(token).when().get("/api/v1/auth/me").then().extract().statusCode() == 401);
        Api.as(token).when().get("/api/v1/auth/me").then().statusCode(401).contentType("application/problem+json");
    }

    @Test
    void sessionCallsDrawFromTheUsersRateLimitBucketReconciledInRedis() {
        String token = Api.userToken("bucket-user", "viewer");
        Api.as(token).when().get("/api/v1/auth/me").then().statusCode(200);
        String key = "gw:ratelimit:user:bucket-user";
        // the replica's bucket is reconciled with the shared one in Redis (burst 200): the call took a token from it
        Awaiting.until(Duration.ofSeconds(5), () -> !infra.redisCli(masterPort(), "HGET", key, "tokens").isEmpty()
                && Double.parseDouble(infra.redisCli(masterPort(), "HGET", key, "tokens")) <= 199.0);
        // overdrawn in Redis (as other replicas' calls would do): this replica refuses too, with 429 problem+json and Retry-After
        infra.redisCli(masterPort(), "HSET", key, "tokens", "-200", "ts", "99999999999999");
        Response[] refused = new Response[1];
        Awaiting.until(Duration.ofSeconds(5), () -> {
            refused[0] = Api.as(token).when().get("/api/v1/auth/me").then().extract().response();
            return refused[0].statusCode() == 429;
        });
        assertThat(refused[0].contentType()).startsWith("application/problem+json");
        assertThat(refused[0].header("Retry-After")).isNotNull();
        // routed calls draw from the same bucket
        Awaiting.until(Duration.ofSeconds(5),
                () -> Api.as(token).when().get("/api/v1/device-instances").then().extract().statusCode() == 429);
        // a refilled bucket in Redis (here: removed) lets the calls through again
        Awaiting.until(Duration.ofSeconds(5), () -> {
            infra.redisCli(masterPort(), "DEL", key);
            return Api.as(token).when().get("/api/v1/auth/me").then().extract().statusCode() == 200;
        });
    }

    @Test
    void aLogoutOnAnotherReplicaReachesThisOneThroughRedisPubSub() {
        String token = Api.login(Api.ADMIN, Api.ADMIN_PASSWORD);
        String hash = Tokens.sha256(token);
        // used once: now in this replica's cache, served without asking Redis
        Api.as(token).when().get("/api/v1/auth/me").then().statusCode(200);
        // what another replica's logout does: delete the session, publish its invalidation
        infra.redisCli(masterPort(), "DEL", "gw:session:" + hash);
        Api.as(token).when().get("/api/v1/auth/me").then().statusCode(200);
        long published = System.nanoTime();
        infra.redisCli(masterPort(), "PUBLISH", "gw:invalidations", "session:" + hash);
        Awaiting.until(Duration.ofSeconds(1), () -> Api.as(token).when().get("/api/v1/auth/me").then().extract().statusCode() == 401);
        System.out.printf("an invalidation published on Redis reached the gateway in under %.0f ms%n",
                (System.nanoTime() - published) / 1e6);
    }

    @Test
    void wrongPasswordAndUnknownUserGetTheSameProblem() {
        Api.createUser("carol", "viewer", Api.PASSWORD);
        given().header("X-Forwarded-For", "198.51.100.20").contentType("application/json")
                .body(Map.of("username", "carol", "password", "wrong password!")).when().post("/api/v1/auth/login").then()
                .statusCode(401).contentType("application/problem+json").body("type",
                        equalTo("urn:junoscommander:problem:invalid-credentials"));
        given().header("X-Forwarded-For", "198.51.100.20").contentType("application/json")
                .body(Map.of("username", "nobody-here", "password", "wrong password!")).when().post("/api/v1/auth/login").then()
                .statusCode(401).body("type", equalTo("urn:junoscommander:problem:invalid-credentials"));
        given().contentType("application/json").body(Map.of("username", "carol")).when().post("/api/v1/auth/login").then()
                .statusCode(400).contentType("application/problem+json").body("errors.field", hasItem("password"));
    }

    @Test
    void logoutEndsTheSessionAndClearsTheCookie() {
        String token = Api.login(Api.ADMIN, Api.ADMIN_PASSWORD);
        String cookie = Api.as(token).when().post("/api/v1/auth/logout").then().statusCode(204).extract().header("Set-Cookie");
        assertThat(cookie).startsWith("JC_SESSION=;").contains("Max-Age=0");
        Api.as(token).when().get("/api/v1/auth/me").then().statusCode(401);
        assertThat(infra.redisCli(masterPort(), "EXISTS", "gw:session:" + Tokens.sha256(token))).isEqualTo("0");
    }

    @Test
    void ownSessionsAreListedAndRevocableAdminsSeeAnyones() {
        Api.createUser("dave", "operator", Api.PASSWORD);
        String first = Api.login("dave", Api.PASSWORD);
        String second = Api.login("dave", Api.PASSWORD);
        List<Map<String, Object>> sessions = Api.as(first).when().get("/api/v1/auth/sessions").then().statusCode(200).extract()
                .jsonPath().getList("$");
        assertThat(sessions).hasSize(2);
        assertThat(sessions).extracting(s -> s.get("id")).containsExactlyInAnyOrder(Tokens.sha256(first), Tokens.sha256(second));
        assertThat(sessions).filteredOn(s -> Boolean.TRUE.equals(s.get("current"))).extracting(s -> s.get("id"))
                .containsExactly(Tokens.sha256(first));
        assertThat(sessions.toString()).doesNotContain(first).doesNotContain(second);

        // a non-admin cannot look at someone else's sessions
        Api.as(first).queryParam("username", "admin").when().get("/api/v1/auth/sessions").then().statusCode(403)
                .contentType("application/problem+json");
        // an admin can, and can end one
        Api.asAdmin().queryParam("username", "dave").when().get("/api/v1/auth/sessions").then().statusCode(200).body("size()", equalTo(2));
        Api.asAdmin().when().delete("/api/v1/auth/sessions/" + Tokens.sha256(second)).then().statusCode(204);
        Api.as(second).when().get("/api/v1/auth/me").then().statusCode(401);
        // the owner ends their others
        String third = Api.login("dave", Api.PASSWORD);
        Api.as(first).when().delete("/api/v1/auth/sessions").then().statusCode(200).body("revoked", equalTo(1));
        Api.as(third).when().get("/api/v1/auth/me").then().statusCode(401);
        Api.as(first).when().get("/api/v1/auth/me").then().statusCode(200);
        // someone else's session id is not found for a non-admin
        Api.as(first).when().delete("/api/v1/auth/sessions/" + Tokens.sha256(Api.adminToken())).then().statusCode(404);
    }

    @Test
    void ownPasswordChangeNeedsTheCurrentOneAndEndsOtherSessions() {
        Api.createUser("erin", "viewer", Api.PASSWORD);
        String current = Api.login("erin", Api.PASSWORD);
        String other = Api.login("erin", Api.PASSWORD);
        Api.as(current).contentType("application/json").body(Map.of("currentPassword", "not it at all", "newPassword",
                "a new long password"))
                .when().post("/api/v1/auth/password").then().statusCode(400).body("errors[0].field", equalTo("currentPassword"));
        Api.as(current).contentType("application/json").body(Map.of("currentPassword", Api.PASSWORD, "newPassword", "short"))
                .when().post("/api/v1/auth/password").then().statusCode(400).body("errors[0].field", equalTo("newPassword"));
        Api.as(current).contentType("application/json").body(Map.of("currentPassword", Api.PASSWORD, "newPassword", "a new long password"))
                .when().post("/api/v1/auth/password").then().statusCode(204);
        Api.as(current).when().get("/api/v1/auth/me").then().statusCode(200);
        Api.as(other).when().get("/api/v1/auth/me").then().statusCode(401);
        Api.login("erin", "a new long password");
    }

    private int masterPort() {
        return Integer.parseInt(infra.redisMaster().substring(infra.redisMaster().lastIndexOf(':') + 1));
    }
}
