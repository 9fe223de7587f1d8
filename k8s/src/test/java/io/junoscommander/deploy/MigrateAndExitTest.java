package io.junoscommander.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.junoscommander.infra.InfraHarness;
import io.junoscommander.infra.testing.InternalTokens;
import io.junoscommander.infra.testing.SharedInfra;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
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
        Path jar = RenderedManifests.repositoryRoot().resolve("task-service/target/quarkus-app/quarkus-run.jar");
        assertThat(jar).as("packaged task service (./mvnw package -pl task-service -am)").exists();
        Map<String, String> env = new HashMap<>(harness.serviceEnvironment());
        env.putAll(InternalTokens.configuration());
        env.put("HTTP_HOST", "127.0.0.1");
        env.put("HTTP_PORT", Integer.toString(freePort()));
        env.put("MANAGEMENT_HOST", "127.0.0.1");
        env.put("MANAGEMENT_PORT", Integer.toString(freePort()));
        env.put("LOG_FORMAT", "console");
        env.put("SHUTDOWN_DELAY", "0s");
        env.putAll(extra);
        Path log = Files.createTempFile("jc-migrate", ".log");
        try {
            ProcessBuilder builder = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-jar", jar.toString())).redirectErrorStream(true).redirectOutput(log.toFile());
            builder.environment().putAll(env);
            Process process = builder.start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(waitSeconds);
            while (!process.waitFor(200, TimeUnit.MILLISECONDS) && System.nanoTime() < deadline
                    && (stopWhen == null || !Files.readString(log).contains(stopWhen))) {
                // the process is still starting or migrating
            }
            if (process.isAlive()) {
                process.destroy();
                if (!process.waitFor(30, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor();
                }
            }
            return new Run(process.exitValue(), Files.readString(log));
        } finally {
            Files.deleteIfExists(log);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
