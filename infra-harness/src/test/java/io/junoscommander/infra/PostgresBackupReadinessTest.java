package io.junoscommander.infra;

import static org.assertj.core.api.Assertions.assertThat;

import io.junoscommander.infra.testing.SharedInfra;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What the backup service needs from the harness's PostgreSQL: its role, the replication protocol, dumps, crash and restart. */
class PostgresBackupReadinessTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(120);

    private InfraHarness harness;
    private Path scratch;

    @BeforeEach
    void setUp() {
        harness = SharedInfra.harness();
        // under the harness's directory, which PostgreSQL's user can traverse; removed with it at the latest
        scratch = harness.settings().directory().resolve("scratch-" + System.nanoTime());
        Commands.directoryForPostgres(scratch);
    }

    @AfterEach
    void tearDown() throws IOException {
        try (Stream<Path> paths = Files.walk(scratch)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }

    @Test
    void serviceEnvironmentPointsTheBackupUserAtPostgresItself() {
        assertThat(harness.serviceEnvironment()).containsEntry("BACKUP_DB_HOST", "127.0.0.1")
                .containsEntry("BACKUP_DB_PORT", Integer.toString(harness.postgresPort()))
                .containsEntry("BACKUP_DB_USER", "jc_backup").containsEntry("BACKUP_DB_PASSWORD", harness.backupDbPassword());
        assertThat(harness.postgresPort()).isEqualTo(harness.settings().ports().postgres())
                .isNotEqualTo(harness.settings().ports().pgBouncer());
        assertThat(InfraHarness.postgresBinDir()).isEqualTo(Path.of("/usr/lib/postgresql/15/bin"));
        assertThat(harness.queryAsSuperuser("SHOW max_wal_senders")).extracting(row -> row.get("max_wal_senders")).containsExactly("10");
        assertThat(harness.queryAsSuperuser("SHOW max_replication_slots")).extracting(row -> row.get("max_replication_slots"))
                .containsExactly("10");
        // the test harness stays fast: nothing is synced
        assertThat(harness.queryAsSuperuser("SHOW fsync")).extracting(row -> row.get("fsync")).containsExactly("off");
        assertThat(harness.queryAsSuperuser("SELECT rolcanlogin, rolreplication, pg_has_role('jc_backup', 'pg_read_all_data', 'member')"
                + " AS reads_all FROM pg_roles WHERE rolname = 'jc_backup'")).containsExactly(
                        Map.of("rolcanlogin", "t", "rolreplication", "t", "reads_all", "t"));
    }

    @Test
    void plainBaseBackupAsBackupUserVerifiesAndStartsAsAScratchServer() {
        Path backup = scratch.resolve("base");
        Commands.directoryForPostgres(backup);
        // as the postgres user, so the copy can be started as a server afterwards
        Commands.runOrFail(Commands.asPostgresUser(List.of(bin("pg_basebackup"), "-h", "127.0.0.1", "-p", port(), "-U", "jc_backup",
                "-D", backup.toString(), "-Fp", "-X", "stream", "-c", "fast", "--manifest-checksums=SHA256", "--no-sync")),
                backupPassword(), null, TIMEOUT);
        Commands.Result verify = Commands.run(List.of(bin("pg_verifybackup"), backup.toString()), TIMEOUT);
        assertThat(verify.output()).contains("backup successfully verified");
        assertThat(verify.exitCode()).isZero();

        // a restored copy runs as a server of its own on another port: the way a backup is proven good
        String scratchPort = Integer.toString(freePort());
        List<String> pgCtl = List.of(bin("pg_ctl"), "-D", backup.toString(), "-l", scratch.resolve("scratch.log").toString(), "-w",
                "-t", "60", "-o", "-p " + scratchPort + " -k " + scratch.resolve("base") + " -c listen_addresses=''");
        Commands.runOrFail(Commands.asPostgresUser(concat(pgCtl, "start")), Map.of(), null, TIMEOUT);
        try {
            Commands.Result databases = Commands.runOrFail(Commands.asPostgresUser(List.of(bin("psql"), "-h", backup.toString(), "-p",
                    scratchPort, "-U", "postgres", "-d", "postgres", "-X", "-A", "-t", "-c", "SELECT datname FROM pg_database")), Map.of(),
                    null, TIMEOUT);
            assertThat(databases.output().lines()).contains(harness.settings().database());
        } finally {
            Commands.run(Commands.asPostgresUser(List.of(bin("pg_ctl"), "-D", backup.toString(), "-m", "immediate", "-w", "stop")),
                    TIMEOUT);
        }
    }

    @Test
    void compressedTarBaseBackupWritesManifestAndWal() throws IOException {
        Path backup = scratch.resolve("tar");
        Commands.runOrFail(List.of(bin("pg_basebackup"), "-h", "127.0.0.1", "-p", port(), "-U", "jc_backup", "-D", backup.toString(),
                "-Ft", "-z", "-X", "stream", "-c", "fast", "--manifest-checksums=SHA256", "--no-sync"), backupPassword(), null, TIMEOUT);
        try (Stream<Path> files = Files.list(backup)) {
            assertThat(files.map(file -> file.getFileName().toString()))
                    .contains("base.tar.gz", "pg_wal.tar.gz", "backup_manifest");
        }
        assertThat(Files.readString(backup.resolve("backup_manifest"))).contains("\"Checksum-Algorithm\": \"SHA256\"");
    }

    @Test
    void receiveWalOnAReplicationSlotAsBackupUser() {
        Map<String, String> env = backupPassword();
        List<String> connection = List.of("-h", "127.0.0.1", "-p", port(), "-U", "jc_backup");
        Commands.runOrFail(concat(concat(List.of(bin("pg_receivewal")), connection), "--slot=jc_test_slot", "--create-slot"), env, null,
                TIMEOUT);
        try {
            assertThat(harness.queryAsSuperuser("SELECT slot_type FROM pg_replication_slots WHERE slot_name = 'jc_test_slot'"))
                    .extracting(row -> row.get("slot_type")).containsExactly("physical");
        } finally {
            Commands.runOrFail(concat(concat(List.of(bin("pg_receivewal")), connection), "--slot=jc_test_slot", "--drop-slot"), env, null,
                    TIMEOUT);
        }
        assertThat(harness.queryAsSuperuser("SELECT count(*) AS slots FROM pg_replication_slots WHERE slot_name = 'jc_test_slot'"))
                .containsExactly(Map.of("slots", "0"));
    }

    @Test
    void customFormatDumpOfASchemaTheBackupUserDoesNotOwn() {
        harness.queryAsSuperuser("""
                DROP SCHEMA IF EXISTS backup CASCADE;
                SET ROLE junoscommander;
                CREATE SCHEMA backup;
                CREATE TABLE backup.probe (id int PRIMARY KEY, note text);
                INSERT INTO backup.probe SELECT n, 'row ' || n FROM generate_series(1, 100) n;
                """);
        Path dump = scratch.resolve("backup.dump");
        Commands.runOrFail(List.of(bin("pg_dump"), "-h", "127.0.0.1", "-p", port(), "-U", "jc_backup", "-d",
                harness.settings().database(), "-Fc", "-n", "backup", "-f", dump.toString()), backupPassword(), null, TIMEOUT);
        String contents = Commands.runOrFail(List.of(bin("pg_restore"), "-l", dump.toString()), Map.of(), null, TIMEOUT).output();
        assertThat(contents).contains("TABLE backup probe junoscommander").contains("TABLE DATA backup probe junoscommander");
        String sql = Commands.runOrFail(List.of(bin("pg_restore"), "-f", "-", dump.toString()), Map.of(), null, TIMEOUT).output();
        assertThat(sql).contains("100\trow 100");
    }

    @Test
    void killedPostgresComesBackWithItsCommittedData() {
        harness.queryAsSuperuser("""
                CREATE TABLE IF NOT EXISTS crash_probe (id int PRIMARY KEY);
                SET synchronous_commit = on;
                INSERT INTO crash_probe VALUES (42) ON CONFLICT DO NOTHING;
                """);
        long postmaster = Long.parseLong(harness.status().get(0).replaceAll(".*running \\(pid (\\d+)\\).*", "$1"));
        long checkpointer = Long.parseLong(harness.queryAsSuperuser("SELECT pid FROM pg_stat_activity WHERE backend_type = 'checkpointer'")
                .get(0).get("pid"));
        assertThat(ProcessHandle.of(checkpointer).flatMap(ProcessHandle::parent).map(ProcessHandle::pid)).contains(postmaster);

        harness.killPostgres();
        assertThat(ProcessHandle.of(postmaster).map(ProcessHandle::isAlive).orElse(false)).isFalse();
        assertThat(ProcessHandle.of(checkpointer).map(ProcessHandle::isAlive).orElse(false)).isFalse();
        assertThat(harness.status().get(0)).endsWith("stopped");

        harness.startPostgres();
        assertThat(harness.status().get(0)).contains("running (pid");
        assertThat(harness.queryAsSuperuser("SELECT id FROM crash_probe")).containsExactly(Map.of("id", "42"));
        // the backup user still logs in over TCP after the restart
        Commands.runOrFail(List.of(bin("psql"), "-h", "127.0.0.1", "-p", port(), "-U", "jc_backup", "-d", "postgres", "-X", "-c",
                "SELECT 1"), backupPassword(), null, TIMEOUT);
    }

    @Test
    void startingAgainRestoresABackupRoleThatWasDroppedOrChanged() {
        harness.queryAsSuperuser("REVOKE EXECUTE ON FUNCTION pg_switch_wal() FROM jc_backup; DROP ROLE jc_backup");
        harness.startPostgres();
        harness.queryAsSuperuser("ALTER ROLE jc_backup PASSWORD 'something else'; REVOKE pg_read_all_data FROM jc_backup");
        harness.startPostgres();
        Commands.Result login = Commands.run(List.of(bin("psql"), "-h", "127.0.0.1", "-p", port(), "-U", "jc_backup", "-d", "postgres",
                "-X", "-A", "-t", "-c", "SELECT pg_has_role('pg_read_all_data', 'member')"), backupPassword(), null, TIMEOUT);
        assertThat(login.output().strip()).isEqualTo("t");
    }

    @Test
    void parameterSetBySystemIsReloadedAndResetAgain() {
        try {
            harness.setPostgresParameter("synchronous_standby_names", "jc_backup_wal");
            assertThat(harness.queryAsSuperuser("SHOW synchronous_standby_names"))
                    .extracting(row -> row.get("synchronous_standby_names")).containsExactly("jc_backup_wal");
        } finally {
            harness.setPostgresParameter("synchronous_standby_names", null);
        }
        assertThat(harness.queryAsSuperuser("SELECT current_setting('synchronous_standby_names') = '' AS unset"))
                .containsExactly(Map.of("unset", "t"));
    }

    private static String bin(String name) {
        return InfraHarness.postgresBinDir().resolve(name).toString();
    }

    private String port() {
        return Integer.toString(harness.postgresPort());
    }

    private Map<String, String> backupPassword() {
        return Map.of("PGPASSWORD", harness.backupDbPassword(), "PGCONNECT_TIMEOUT", "5");
    }

    private static List<String> concat(List<String> first, String... more) {
        List<String> all = new ArrayList<>(first);
        all.addAll(List.of(more));
        return all;
    }

    private static List<String> concat(List<String> first, List<String> more) {
        List<String> all = new ArrayList<>(first);
        all.addAll(more);
        return all;
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
