package io.junoscommander.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.junoscommander.infra.InfraHarness;
import io.junoscommander.infra.testing.PackagedService;
import io.junoscommander.infra.testing.SharedInfra;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The mode of the services' migrating init container (k8s/base), run for real: the packaged task service with
 * MIGRATE_AND_EXIT=true against the harness's PostgreSQL creates its schema with Flyway and exits 0 without ever serving;
 * and a service with DB_MIGRATE_AT_START=false leaves a missing schema alone.
 */
class MigrateAndExitTest {

    private static final String SCHEMA = "task";

    @Test
    void migrateAndExitCreatesTheSchemaAndExitsZeroWithoutServing() throws Exception {
        InfraHarness harness = SharedInfra.harness();
        harness.queryAsSuperuser("DROP SCHEMA IF EXISTS " + SCHEMA + " CASCADE");

        Run run = runTaskService(harness, Map.of("MIGRATE_AND_EXIT", "true"), 180, null);

        assertThat(run.exitCode()).as(run.output()).isZero();
        assertThat(run.output()).doesNotContain("Listening on");
        assertThat(harness.queryAsSuperuser("SELECT count(*) AS applied FROM " + SCHEMA + ".flyway_schema_history WHERE success"))
                .singleElement().satisfies(row -> assertThat(Integer.parseInt(row.get("applied"))).isPositive());

        // a second run finds nothing to do and exits 0 as well: every later pod start runs it again
        Run again = runTaskService(harness, Map.of("MIGRATE_AND_EXIT", "true"), 180, null);
        assertThat(again.exitCode()).as(again.output()).isZero();
    }

    @Test
    void aServiceToldNotToMigrateLeavesTheSchemaToItsInitContainer() throws Exception {
        InfraHarness harness = SharedInfra.harness();
        harness.queryAsSuperuser("DROP SCHEMA IF EXISTS " + SCHEMA + " CASCADE");

        // it starts and serves (whether it is useful without its tables is not this test's concern); stopped once it listens
        Run run = runTaskService(harness, Map.of("DB_MIGRATE_AT_START", "false", "MIGRATE_AND_EXIT", "false"), 180, "Listening on");

        assertThat(run.output()).contains("Listening on");
        assertThat(harness.queryAsSuperuser("SELECT count(*) AS present FROM pg_namespace WHERE nspname = '" + SCHEMA + "'"))
                .singleElement().satisfies(row -> assertThat(row.get("present")).isEqualTo("0"));
        harness.queryAsSuperuser("DROP SCHEMA IF EXISTS " + SCHEMA + " CASCADE");
        assertThat(runTaskService(harness, Map.of("MIGRATE_AND_EXIT", "true"), 180, null).exitCode()).isZero();
    }

    private record Run(int exitCode, String output) {
    }

    /**
     * Runs the packaged task service until it exits, or until its output shows stopWhen or waitSeconds passed: then it
     * is stopped (SIGTERM) and its exit read.
     */
    private static Run runTaskService(InfraHarness harness, Map<String, String> extra, int waitSeconds, String stopWhen)
            throws Exception {
        Path logs = Files.createTempDirectory("jc-migrate");
        try {
            PackagedService service = PackagedService.of("task-service").name("task-service-migrate").logDirectory(logs)
                    .environment(PackagedService.testEnvironment()).environment(extra).launch();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(waitSeconds);
            while (!service.awaitExit(Duration.ofMillis(200)) && System.nanoTime() < deadline
                    && (stopWhen == null || !Files.readString(service.log()).contains(stopWhen))) {
                // the process is still starting or migrating
            }
            service.close();
            return new Run(service.exitValue(), Files.readString(service.log()));
        } finally {
            try (var files = Files.list(logs)) {
                for (Path file : files.toList()) {
                    Files.delete(file);
                }
            }
            Files.delete(logs);
        }
    }
}
