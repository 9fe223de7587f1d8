package io.junoscommander.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.junoscommander.infra.InfraHarness;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The local overlay's PostgreSQL start script, taken from the rendered ConfigMap and run with the Debian PostgreSQL 15
 * binaries it names (as the postgres user, on a free port): a fresh data directory gets the application role and
 * database, the backup role that may use the replication protocol, replica WAL level; a restart with another password
 * in the Secret changes the roles' passwords.
 */
class LocalPostgresqlScriptTest {

    private final List<Process> started = new ArrayList<>();
    private Path work;

    @AfterEach
    void stopAndClean() throws Exception {
        for (Process process : started) {
            if (process.isAlive()) {
                stop(process, work.resolve("volume"));
            }
        }
        if (work != null) {
            try (Stream<Path> files = Files.walk(work)) {
                files.sorted(Comparator.reverseOrder()).forEach(file -> file.toFile().delete());
            }
        }
    }

    @Test
    void aFreshVolumeGetsTheRolesDatabaseAndReplicationAccessAndPasswordsFollowTheSecret() throws Exception {
        JsonNode scripts = RenderedManifests.render("overlays/local").stream()
                .filter(o -> "ConfigMap".equals(o.path("kind").asText()) && "postgresql-scripts".equals(o.path("metadata").path("name")
                        .asText())).findFirst().orElseThrow(() -> new AssertionError("ConfigMap postgresql-scripts not rendered"));
        work = Files.createTempDirectory(Path.of("/var/tmp"), "jc-pg-script");
        Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.writeString(work.resolve("start.sh"), scripts.path("data").path("start.sh").asText());
        Files.writeString(work.resolve("roles.sql"), scripts.path("data").path("roles.sql").asText());
        Path volume = Files.createDirectory(work.resolve("volume"));
        UserPrincipal postgres = volume.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("postgres");
        Files.setOwner(volume, postgres);
        int port = freePort();
        Map<String, String> secrets = Map.of("DB_USER", "junoscommander", "DB_PASSWORD", "first-app-secret", "BACKUP_DB_USER",
                "jc_backup", "BACKUP_DB_PASSWORD", "first-backup-secret");

        Process first = start(volume, port, secrets);
        assertThat(psql(port, "junoscommander", "first-app-secret", "junoscommander", "",
                "CREATE SCHEMA device; CREATE TABLE device.probe (id int); INSERT INTO device.probe VALUES (1); SHOW wal_level;"))
                .contains("replica");
        assertThat(psql(port, "jc_backup", "first-backup-secret", "junoscommander", "replication=database", "IDENTIFY_SYSTEM;"))
                .contains("junoscommander");
        assertThat(psql(port, "jc_backup", "first-backup-secret", "junoscommander", "", "SELECT count(*) FROM device.probe;"))
                .as("pg_read_all_data lets the backup role read the application's schemas (pg_dump)").isEqualTo("1\n");
        stop(first, volume);

        Process second = start(volume, port, Map.of("DB_USER", "junoscommander", "DB_PASSWORD", "rotated-app-secret",
                "BACKUP_DB_USER", "jc_backup", "BACKUP_DB_PASSWORD", "rotated-backup-secret"));
        assertThat(psql(port, "junoscommander", "rotated-app-secret", "junoscommander", "",
                "SELECT nspname FROM pg_namespace WHERE nspname = 'device';")).contains("device");
        assertThat(psqlFails(port, "junoscommander", "first-app-secret")).as("the old password no longer works").isTrue();
        stop(second, volume);
    }

    private Process start(Path volume, int port, Map<String, String> secrets) throws Exception {
        List<String> command = new ArrayList<>(List.of("runuser", "-u", "postgres", "--", "env", "PGDATA=" + volume.resolve("pgdata"),
                "PGPORT=" + port, "DB_NAME=junoscommander"));
        secrets.forEach((name, value) -> command.add(name + "=" + value));
        command.addAll(List.of("sh", work.resolve("start.sh").toString()));
        // from "/": the checkout (the working directory) can be private to root, and the server runs as postgres
        Process process = new ProcessBuilder(command).directory(new java.io.File("/")).redirectErrorStream(true)
                .redirectOutput(work.resolve("postgres.log").toFile())
                .start();
        started.add(process);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (!ready(port)) {
            assertThat(process.isAlive()).as(() -> "start.sh ended: " + log()).isTrue();
            assertThat(System.nanoTime()).as(() -> "PostgreSQL not ready in 120 s: " + log()).isLessThan(deadline);
            Thread.sleep(300);
        }
        return process;
    }

    /** Ready on TCP: the script's setup server listens on no address, so this is the final server, roles in place. */
    private static boolean ready(int port) throws Exception {
        Process check = new ProcessBuilder(InfraHarness.postgresBinDir().resolve("pg_isready").toString(), "-h", "127.0.0.1", "-p",
                Integer.toString(port)).redirectErrorStream(true).start();
        check.getInputStream().readAllBytes();
        return check.waitFor(10, TimeUnit.SECONDS) && check.exitValue() == 0;
    }

    private String psql(int port, String user, String password, String database, String extra, String sql) throws Exception {
        String connection = "host=127.0.0.1 port=" + port + " user=" + user + " dbname=" + database + " " + extra;
        return RenderedManifests.run(List.of("env", "PGPASSWORD=" + password, InfraHarness.postgresBinDir().resolve("psql").toString(),
                "-X", "-v", "ON_ERROR_STOP=1", "-At", "-d", connection, "-c", sql), "psql as " + user);
    }

    private boolean psqlFails(int port, String user, String password) throws Exception {
        try {
            psql(port, user, password, "junoscommander", "", "SELECT 1;");
            return false;
        } catch (AssertionError expected) {
            return expected.getMessage().contains("password authentication failed");
        }
    }

    private String log() {
        try {
            return Files.readString(work.resolve("postgres.log"));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    /** A fast shutdown through pg_ctl (runuser need not pass a signal on to the server it started). */
    private static void stop(Process process, Path volume) throws InterruptedException {
        if (process.isAlive()) {
            RenderedManifests.run(List.of("runuser", "-u", "postgres", "--", InfraHarness.postgresBinDir().resolve("pg_ctl").toString(),
                    "-D", volume.resolve("pgdata").toString(), "-m", "fast", "-w", "stop"), "pg_ctl stop");
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
