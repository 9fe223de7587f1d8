package io.junoscommander.backup.postgres;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.junoscommander.infra.InfraHarness;
import io.junoscommander.infra.testing.InfraTestResource;
import io.junoscommander.infra.testing.InternalTokens;
import io.junoscommander.infra.testing.SharedInfra;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Figures for a database of a real size, on demand only ({@code -Dbackup.bench.scale=70} makes about 1 GB with
 * {@code pgbench -i}): full backup MB/s, restore time, drill time. Prints them; asserts only that each step succeeded.
 * <pre>./mvnw -B -ntp verify -pl backup-service -am -Dtest=PostgresBackupBenchTest -Dsurefire.failIfNoSpecifiedTests=false
 *     -Dbackup.bench.scale=70</pre>
 */
@QuarkusTest
@QuarkusTestResource(InfraTestResource.class)
@EnabledIfSystemProperty(named = "backup.bench.scale", matches = "\\d+")
class PostgresBackupBenchTest {

    private static final Duration WAIT = Duration.ofMinutes(30);

    @Test
    void fullBackupRestoreAndDrillOfAPgbenchDatabase() throws Exception {
        InfraHarness harness = SharedInfra.harness();
        String scale = System.getProperty("backup.bench.scale");
        long load = System.nanoTime();
        ProcessBuilder builder = new ProcessBuilder(InfraHarness.postgresBinDir().resolve("pgbench").toString(), "-i", "-q", "-s", scale,
                "-h", "127.0.0.1", "-p", Integer.toString(harness.postgresPort()), "-U", harness.settings().user(),
                harness.settings().database()).redirectErrorStream(true);
        builder.environment().put("PGPASSWORD", harness.dbPassword());
        Process pgbench = builder.start();
        pgbench.getOutputStream().close();
        String output = new String(pgbench.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(pgbench.waitFor(30, TimeUnit.MINUTES)).isTrue();
        assertThat(pgbench.exitValue()).as(output).isZero();
        try {
            String size = harness.queryAsSuperuser("SELECT pg_size_pretty(pg_database_size(current_database())) AS s").get(0).get("s");
            System.out.printf("bench: pgbench -i -s %s: %s in %.0f s%n", scale, size, (System.nanoTime() - load) / 1e9);

            JsonPath backup = await("postgres-full");
            assertThat(backup.getString("status")).as(backup.prettify()).isEqualTo("succeeded");
            System.out.printf("bench: full backup of %.0f MB: copy %.1f s = %.1f MB/s, pg_verifybackup %.1f s, tar+gzip %.1f s -> %.0f MB"
                    + " stored; whole run %.1f s (%.1f MB/s end to end)%n", backup.getLong("details.copiedBytes") / 1_048_576.0,
                    backup.getDouble("details.copySeconds"), backup.getDouble("details.mbPerSecond"),
                    backup.getDouble("details.verifySeconds"), backup.getDouble("details.packSeconds"),
                    backup.getLong("sizeBytes") / 1_048_576.0, backup.getLong("durationMs") / 1000.0,
                    backup.getDouble("details.endToEndMbPerSecond"));

            String location = given().header("Authorization", InternalTokens.bearer("ada", "admin")).contentType(ContentType.JSON)
                    .body(Map.of("start", true)).post("/api/v1/backups/" + backup.getString("id") + "/restore").then().statusCode(202)
                    .extract().header("Location");
            JsonPath restore = poll(location, "admin");
            assertThat(restore.getString("status")).as(restore.prettify()).isEqualTo("succeeded");
            System.out.printf("bench: restore (download + SHA-256, unpack, pg_verifybackup, start, recovery, row counts): %.1f s%n",
                    restore.getLong("durationMs") / 1000.0);

            JsonPath drill = await("restore-drill");
            assertThat(drill.getString("status")).as(drill.prettify()).isEqualTo("succeeded");
            System.out.printf("bench: restore drill: restore %.1f s, whole drill %.1f s%n", drill.getDouble("details.restoreSeconds"),
                    drill.getLong("durationMs") / 1000.0);
            // the restored copy of that restore is not needed any more
            run(List.of("rm", "-rf", restore.getString("dataDirectory")));
        } finally {
            harness.queryAsSuperuser("DROP TABLE IF EXISTS pgbench_accounts, pgbench_branches, pgbench_history, pgbench_tellers");
        }
    }

    private static JsonPath await(String kind) {
        String id = given().header("Authorization", InternalTokens.bearer("otto", "operator")).contentType(ContentType.JSON)
                .body(Map.of("kind", kind)).post("/api/v1/backups").then().statusCode(202).extract().path("id");
        return poll("/api/v1/backups/" + id, "operator");
    }

    private static JsonPath poll(String path, String role) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            JsonPath run = given().header("Authorization", InternalTokens.bearer("bench", role)).get(path).then().statusCode(200)
                    .extract().jsonPath();
            if (!"running".equals(run.getString("status"))) {
                return run;
            }
            try {
                Thread.sleep(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
        throw new AssertionError(path + " still running after " + WAIT);
    }

    private static void run(List<String> command) throws Exception {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        assertThat(process.waitFor(5, TimeUnit.MINUTES)).isTrue();
    }
}
