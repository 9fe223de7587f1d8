package io.junoscommander.backup.redis;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.junoscommander.infra.InfraHarness;
import io.junoscommander.infra.testing.InternalTokens;
import io.junoscommander.infra.testing.SharedInfra;
import io.restassured.path.json.JsonPath;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** What the Redis backup tests share: keys written through the real master, a backup taken and awaited through the API. */
public final class RedisBackups {

    private RedisBackups() {
    }

    /**
     * This JVM's harness. A test with a {@code QuarkusTestProfile} runs in a class loader of its own, where
     * {@link SharedInfra} has not started anything: it attaches to the harness the default-profile tests started (Quarkus
     * runs those first), and starts one only when it is alone.
     */
    public static synchronized InfraHarness infra() {
        return SharedInfra.harness();
    }

    public static int masterPort() {
        String master = infra().redisMaster();
        return Integer.parseInt(master.substring(master.lastIndexOf(':') + 1));
    }

    /** Writes string keys with distinct values through the Sentinel-managed master and waits until both replicas have them. */
    public static Map<String, String> writeKeys(int count) {
        String prefix = "backup-test:" + UUID.randomUUID() + ":";
        Map<String, String> keys = new LinkedHashMap<>();
        List<String> command = new ArrayList<>(List.of("MSET"));
        for (int i = 0; i < count; i++) {
            String key = prefix + i;
            String value = "value " + i + " of " + prefix;
            keys.put(key, value);
            command.add(key);
            command.add(value);
        }
        int master = masterPort();
        assertThat(infra().redisCli(master, command.toArray(String[]::new))).isEqualTo("OK");
        assertThat(infra().redisCli(master, "WAIT", "2", "5000")).isEqualTo("2");
        return keys;
    }

    /** {@code POST /api/v1/backups {"kind":"redis"}} as an operator, then the run once it has finished. */
    public static JsonPath takeBackup() throws InterruptedException {
        String id = given().header("Authorization", InternalTokens.bearer("olga", "operator")).contentType("application/json")
                .body("{\"kind\":\"redis\"}").when().post("/api/v1/backups").then().statusCode(202).extract().path("id");
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (true) {
            JsonPath run = given().header("Authorization", InternalTokens.bearer("vera", "viewer")).when().get("/api/v1/backups/" + id)
                    .then().statusCode(200).extract().jsonPath();
            if (!"running".equals(run.getString("status"))) {
                return run;
            }
            assertThat(System.nanoTime()).as("backup %s still running", id).isLessThan(deadline);
            Thread.sleep(250);
        }
    }

    /** Every key is in the restored server with its value. */
    public static void assertRestored(RedisRestore.RestoredRedis restored, Map<String, String> keys) {
        for (Map.Entry<String, String> entry : keys.entrySet()) {
            assertThat(infra().redisCli(restored.port(), "GET", entry.getKey())).as(entry.getKey()).isEqualTo(entry.getValue());
        }
    }
}
