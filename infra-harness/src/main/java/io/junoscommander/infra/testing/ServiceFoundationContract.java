package io.junoscommander.infra.testing;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.notNullValue;

import io.junoscommander.infra.InfraHarness;
import io.quarkus.test.common.http.TestHTTPResource;
import io.restassured.path.json.JsonPath;
import io.restassured.specification.RequestSpecification;
import java.net.URL;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What every service owes the platform, asserted through its HTTP interface against the real PostgreSQL, PgBouncer and
 * Redis/Sentinel of the harness. A service's test extends this with {@code @QuarkusTest} and names itself. Health and
 * metrics are asked of the management interface ({@link #management()}); the public port must not serve them.
 */
public abstract class ServiceFoundationContract {

    /** The management interface's root ({@code quarkus.management.test-port}, a free port in tests). */
    @TestHTTPResource(value = "/", management = true)
    URL managementRoot;

    protected abstract String serviceName();

    protected abstract String schema();

    protected InfraHarness infra() {
        return SharedInfra.harness();
    }

    @Test
    void readinessIsUpWithPgBouncerAndRedisSentinelComponents() {
        management().when().get("/health/ready").then().statusCode(200).body("status", equalTo("UP"))
                .body("checks.find { it.name == 'postgresql' }.status", equalTo("UP"))
                .body("checks.find { it.name == 'postgresql' }.data.via", equalTo("pgbouncer"))
                .body("checks.find { it.name == 'redis' }.status", equalTo("UP"))
                .body("checks.find { it.name == 'redis' }.data.via", equalTo("sentinel"));
        management().when().get("/health/live").then().statusCode(200).body("status", equalTo("UP"));
        management().when().get("/health/started").then().statusCode(200).body("status", equalTo("UP"));
        management().when().get("/health").then().statusCode(200).body("status", equalTo("UP"));
    }

    @Test
    void detailedHealthNamesTheServiceAndItsComponents() {
        JsonPath body = management().when().get("/health/detailed").then().statusCode(200).contentType("application/json").extract()
                .jsonPath();
        assertThat(body.getString("status")).isEqualTo("UP");
        assertThat(body.getString("service")).isEqualTo(serviceName());
        assertThat(body.getString("version")).isNotBlank();
        assertThat(body.getString("instanceId")).isNotBlank();
        assertThat(body.getLong("uptimeSeconds")).isGreaterThanOrEqualTo(0);
        assertThat(body.getString("components.postgresql.status")).isEqualTo("UP");
        assertThat(body.getString("components.postgresql.address"))
                .isEqualTo("127.0.0.1:" + infra().settings().ports().pgBouncer() + "/" + infra().settings().database());
        assertThat(body.getLong("components.postgresql.responseTimeMs")).isGreaterThanOrEqualTo(0);
        assertThat(body.getInt("components.postgresql.details.maxSize")).isPositive();
        assertThat(body.getInt("components.postgresql.details.size")).isPositive();
        assertThat(body.getInt("components.postgresql.details.active")).isGreaterThanOrEqualTo(0);
        assertThat(body.getInt("components.postgresql.details.idle")).isGreaterThanOrEqualTo(0);
        assertThat(body.getString("components.redis.status")).isEqualTo("UP");
        assertThat(body.getString("components.redis.address")).isEqualTo(infra().redisMaster());
        assertThat(body.getString("components.redis.details.masterName")).isEqualTo(infra().settings().masterName());
    }

    @Test
    void rowWrittenThroughPgBouncerIsReadBackAndPgBouncerCarriedTheTraffic() {
        String instanceId = management().when().get("/health/detailed").then().statusCode(200).extract().path("instanceId");
        // the heartbeat writes this replica's row through the reactive datasource; the API reads it back the same way
        awaitTrue(Duration.ofSeconds(20), () -> viewer().when().get("/api/v1/instances").then().statusCode(200).extract().jsonPath()
                .getList("instanceId").contains(instanceId));
        viewer().when().get("/api/v1/instances").then().statusCode(200)
                .body("find { it.instanceId == '" + instanceId + "' }.service", equalTo(serviceName()))
                .body("find { it.instanceId == '" + instanceId + "' }.lastSeenAt", notNullValue());

        // the row really is in PostgreSQL, in the service's own schema
        List<Map<String, String>> rows = infra().queryAsSuperuser(
                "SELECT instance_id, service FROM " + schema() + ".service_instance WHERE instance_id = '" + instanceId + "'");
        assertThat(rows).extracting(row -> row.get("service")).containsExactly(serviceName());

        // and the service reached it through PgBouncer: PgBouncer lists it as a client under its application name,
        // and the transactions PgBouncer counted for the database grow when the service answers
        assertThat(infra().pgBouncerShow("CLIENTS")).anySatisfy(client -> {
            assertThat(client.get("database")).isEqualTo(infra().settings().database());
            assertThat(client.get("application_name")).isEqualTo(serviceName());
        });
        long before = transactionsThroughPgBouncer();
        for (int i = 0; i < 5; i++) {
            viewer().when().get("/api/v1/instances").then().statusCode(200);
        }
        awaitTrue(Duration.ofSeconds(5), () -> transactionsThroughPgBouncer() >= before + 5);
    }

    @Test
    void metricsArePrometheusTextWithHttpJvmPoolAndRedisFigures() {
        management().when().get("/health/ready").then().statusCode(200);
        given().when().get("/api/v1/no-such-path-for-metrics").then().statusCode(404);
        String metrics = management().when().get("/metrics").then().statusCode(200).extract().asString();
        assertThat(metrics).contains("http_server_requests_seconds_count").contains("jvm_memory_used_bytes")
                .containsPattern("(?m)^postgresql_current\\{[^}]*clientType=\"sql\"")
                .containsPattern("(?m)^postgresql_queue_size\\{").containsPattern("(?m)^redis_pool_active\\{")
                .containsPattern("(?m)^redis_commands_count_total\\{")
                // buckets for latency percentiles (LatencyHistograms), probes not counted as API traffic, no meter without a name
                .containsPattern("(?m)^http_server_requests_seconds_bucket\\{[^}]*le=\"0\\.005\"")
                .doesNotContainPattern("(?m)^http_server_requests_seconds_count\\{[^}]*uri=\"/health")
                .doesNotContainPattern("(?m)^m_");
    }

    @Test
    void requestIdIsEchoedOrGenerated() {
        management().header("X-Request-Id", "trace-abc-123").when().get("/health/live").then().statusCode(200)
                .header("X-Request-Id", "trace-abc-123");
        String generated = management().when().get("/health/live").then().statusCode(200).extract().header("X-Request-Id");
        assertThat(generated).matches("[0-9a-f-]{36}");
        // a forged id carrying a line break is replaced, never echoed into logs or headers
        String replaced = management().header("X-Request-Id", "bad id with spaces").when().get("/health/live").then().extract()
                .header("X-Request-Id");
        assertThat(replaced).doesNotContain(" ").matches("[0-9a-f-]{36}");
    }

    @Test
    void unknownPathIsProblemJson() {
        given().header("X-Request-Id", "req-404").when().get("/api/v1/no-such-thing").then().statusCode(404)
                .contentType("application/problem+json").body("status", equalTo(404))
                .body("type", equalTo("urn:junoscommander:problem:not-found"))
                .body("detail", equalTo("No resource at /api/v1/no-such-thing")).body("requestId", equalTo("req-404"))
                .body("instance", equalTo("/api/v1/no-such-thing"));
    }

    @Test
    void malformedQueryIsProblemJsonNamingTheField() {
        viewer().when().get("/api/v1/instances?activeWithinSeconds=soon").then().statusCode(400)
                .contentType("application/problem+json").body("type", equalTo("urn:junoscommander:problem:validation"))
                .body("errors.field", hasItem("activeWithinSeconds")).body("detail", notNullValue());
        viewer().when().get("/api/v1/instances?activeWithinSeconds=0").then().statusCode(400)
                .contentType("application/problem+json").body("errors[0].field", equalTo("activeWithinSeconds"));
    }

    @Test
    void nulCharacterInTheQueryOrPathIsRefusedBeforeAnyResourceSeesIt() {
        viewer().urlEncodingEnabled(false).when().get("/api/v1/instances?activeWithinSeconds=5%00").then().statusCode(400)
                .contentType("application/problem+json").body("type", equalTo("urn:junoscommander:problem:validation"))
                .body("errors[0].field", equalTo("activeWithinSeconds"));
        viewer().urlEncodingEnabled(false).when().get("/api/v1/instances/x%00y").then().statusCode(400)
                .contentType("application/problem+json").body("errors[0].field", equalTo("path"));
        // before authentication too: nothing behind the public port sees a NUL
        given().urlEncodingEnabled(false).when().get("/api/v1/no-such-thing?q=%00").then().statusCode(400)
                .contentType("application/problem+json").body("errors[0].field", equalTo("q"));
    }

    @Test
    void wrongMethodIsProblemJson() {
        viewer().when().delete("/api/v1/instances").then().statusCode(405).contentType("application/problem+json")
                .body("status", equalTo(405));
    }

    @Test
    void apiRefusesCallsWithoutAValidInternalToken() {
        given().when().get("/api/v1/instances").then().statusCode(401).contentType("application/problem+json")
                .body("type", equalTo("urn:junoscommander:problem:unauthorized")).header("WWW-Authenticate", "Bearer");
        given().header("Authorization", "Bearer not-a-token").when().get("/api/v1/instances").then().statusCode(401)
                .contentType("application/problem+json");
        String expired = InternalTokens.token("alice", "admin", Duration.ofSeconds(-120));
        given().header("Authorization", "Bearer " + expired).when().get("/api/v1/instances").then().statusCode(401);
        // health and metrics stay open for probes and scrapers, on the management port
        management().when().get("/health/ready").then().statusCode(200);
        management().when().get("/metrics").then().statusCode(200);
    }

    @Test
    void healthAndMetricsAreOnlyOnTheManagementPort() {
        assertThat(managementPort(managementRoot)).isNotEqualTo(io.restassured.RestAssured.port);
        String pgBouncer = "127.0.0.1:" + infra().settings().ports().pgBouncer();
        for (String path : List.of("/health", "/health/live", "/health/ready", "/health/started", "/health/detailed", "/metrics")) {
            String body = given().header("X-Request-Id", "req-mgmt").when().get(path).then().statusCode(404)
                    .contentType("application/problem+json").body("type", equalTo("urn:junoscommander:problem:not-found"))
                    .body("requestId", equalTo("req-mgmt")).extract().asString();
            // no component address leaks through the public port, not even in an error
            assertThat(body).doesNotContain(pgBouncer).doesNotContain(infra().redisMaster()).doesNotContain("postgresql")
                    .doesNotContain("jvm_");
            management().when().get(path).then().statusCode(200);
        }
        management().when().get("/health/detailed").then().contentType("application/json").body("status", equalTo("UP"));
        assertThat(management().when().get("/metrics").then().extract().asString()).contains("jvm_memory_used_bytes");
    }

    @Test
    void aVerifiedTokenIsRememberedOnlyAsItselfAndOnlyUntilItExpires() {
        String token = InternalTokens.token("bob", "viewer", Duration.ofSeconds(3));
        for (int i = 0; i < 3; i++) {
            given().header("Authorization", "Bearer " + token).when().get("/api/v1/instances").then().statusCode(200);
        }
        // the same header and claims under another signature are not the token that was verified
        String tampered = token.substring(0, token.length() - 4) + (token.endsWith("AAAA") ? "BBBB" : "AAAA");
        given().header("Authorization", "Bearer " + tampered).when().get("/api/v1/instances").then().statusCode(401);
        // expired (past the verifier's 5 s clock skew), it is refused although it passed before
        awaitTrue(Duration.ofSeconds(20), () -> given().header("Authorization", "Bearer " + token).when().get("/api/v1/instances")
                .then().extract().statusCode() == 401);
    }

    /** A request to the management interface (health and metrics). */
    protected RequestSpecification management() {
        return given().port(managementPort(managementRoot));
    }

    /**
     * The port of the running application's management interface. {@code @TestHTTPResource(management = true)} knows it
     * when {@code quarkus.management.test-port} is 0 (a free port); a test resource that fixes the port gives it in config.
     */
    public static int managementPort(URL injected) {
        int configured = org.eclipse.microprofile.config.ConfigProvider.getConfig()
                .getOptionalValue("quarkus.management.test-port", Integer.class).orElse(0);
        return configured > 0 ? configured : injected.getPort();
    }

    /** A request carrying the internal token of a viewer, as the gateway would forward it. */
    protected static io.restassured.specification.RequestSpecification viewer() {
        return given().header("Authorization", InternalTokens.bearer("test-viewer", "viewer"));
    }

    private long transactionsThroughPgBouncer() {
        return infra().pgBouncerShow("STATS").stream().filter(row -> infra().settings().database().equals(row.get("database")))
                .mapToLong(row -> Long.parseLong(row.get("total_xact_count"))).sum();
    }

    protected static void awaitTrue(Duration timeout, java.util.function.BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within " + timeout.toSeconds() + " s");
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
        }
    }
}
