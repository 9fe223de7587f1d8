package io.junoscommander.gateway;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.junoscommander.infra.InfraHarness;
import io.junoscommander.infra.testing.InfraTestResource;
import io.junoscommander.infra.testing.ServiceFoundationContract;
import io.junoscommander.infra.testing.SharedInfra;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.net.URL;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * kill -9 of the Redis master: after Sentinel's failover the running service writes to the new master, no restart, and
 * sessions created before the failover still work (the login waits for a replica to acknowledge the session).
 */
@QuarkusTest
@QuarkusTestResource(InfraTestResource.class)
@QuarkusTestResource(DownstreamTestResource.class)
class RedisFailoverTest {

    /** Health and metrics answer only on the management interface. */
    @TestHTTPResource(value = "/", management = true)
    URL management;

    private io.restassured.specification.RequestSpecification onManagement() {
        return given().port(ServiceFoundationContract.managementPort(management));
    }

    private final InfraHarness infra = SharedInfra.harness();

    @Test
    void redisWritesSucceedAgainAfterSentinelFailover() {
        String oldMaster = infra.redisMaster();
        String session = Api.login(Api.ADMIN, Api.ADMIN_PASSWORD);
        Api.as(session).when().get("/api/v1/auth/me").then().statusCode(200);
        assertThat(redisComponent().getString("components.redis.status")).isEqualTo("UP");
        assertThat(redisComponent().getString("components.redis.address")).isEqualTo(oldMaster);

        long killedAt = System.nanoTime();
        int killedPort = infra.killRedisMaster();
        try {
            // the service's health probe writes a key to whatever master Sentinel names; it must succeed on the new one.
            // Meanwhile the replica stays ready (Redis gates readiness only until first reached) while its probe, the
            // check's "reachable" and so the alerting gauge, sees the master gone.
            AtomicInteger unreachable = new AtomicInteger();
            Awaiting.until(Duration.ofSeconds(60), () -> {
                var ready = onManagement().when().get("/health/ready");
                assertThat(ready.statusCode()).as("readiness while the Redis master fails over: %s", ready.asString()).isEqualTo(200);
                if (Boolean.FALSE.equals(ready.jsonPath().get("checks.find { it.name == 'redis' }.data.reachable"))) {
                    unreachable.incrementAndGet();
                }
                JsonPath health = redisComponent();
                return "UP".equals(health.getString("components.redis.status"))
                        && !oldMaster.equals(health.getString("components.redis.address"));
            });
            double seconds = (System.nanoTime() - killedAt) / 1e9;
            System.out.printf("Redis failover: writes through the service succeeded again %.1f s after kill -9 of the master%n",
                    seconds);
            assertThat(infra.redisMaster()).isNotEqualTo(oldMaster);
            assertThat(unreachable.get()).as("readiness probes that saw the old master gone").isPositive();
            onManagement().when().get("/health/ready").then().statusCode(200);
            // the session made on the old master is served by the new one
            Api.as(session).when().get("/api/v1/auth/me").then().statusCode(200).body("username",
                    org.hamcrest.Matchers.equalTo(Api.ADMIN));
            Api.login(Api.ADMIN, Api.ADMIN_PASSWORD);
        } finally {
            // the old master comes back as a replica of the new one, so later tests have the full topology again
            infra.startRedis(killedPort);
            infra.awaitSentinels();
        }
    }

    private JsonPath redisComponent() {
        return onManagement().when().get("/health/detailed").then().extract().jsonPath();
    }
}
