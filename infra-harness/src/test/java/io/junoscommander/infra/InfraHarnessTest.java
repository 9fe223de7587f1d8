package io.junoscommander.infra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class InfraHarnessTest {

    @Test
    void startsEveryComponentAndStopsThemAllAgain() throws Exception {
        InfraSettings settings = InfraSettings.forTests("harness-test");
        try (InfraHarness harness = InfraHarness.start(settings)) {
            assertThat(harness.status()).hasSize(8).allSatisfy(line -> assertThat(line).contains("running (pid"));

            // PostgreSQL is at WAL level replica (backups need it) and the service user owns the database
            List<Map<String, String>> wal = harness.queryAsSuperuser("SHOW wal_level");
            assertThat(wal).extracting(row -> row.get("wal_level")).containsExactly("replica");

            // PgBouncer pools in transaction mode with SCRAM
            assertThat(harness.pgBouncerShow("CONFIG")).filteredOn(row -> "pool_mode".equals(row.get("key")))
                    .extracting(row -> row.get("value")).containsExactly("transaction");
            assertThat(harness.pgBouncerShow("CONFIG")).filteredOn(row -> "auth_type".equals(row.get("key")))
                    .extracting(row -> row.get("value")).containsExactly("scram-sha-256");

            // three Sentinels with quorum 2 agree on the first Redis server as master, with two replicas
            int firstSentinel = settings.ports().sentinels().get(0);
            assertThat(harness.redisMaster()).isEqualTo("127.0.0.1:" + settings.ports().redis().get(0));
            assertThat(harness.redisCli(firstSentinel, "SENTINEL", "CKQUORUM", settings.masterName())).startsWith("OK 3");
            assertThat(harness.redisCli(settings.ports().redis().get(0), "INFO", "replication")).contains("connected_slaves:2");

            // the services' environment uses the README's variable names and points at PgBouncer and the Sentinels
            Map<String, String> env = harness.serviceEnvironment();
            assertThat(env).containsEntry("DB_PORT", Integer.toString(settings.ports().pgBouncer()))
                    .containsEntry("DB_MIGRATION_PORT", Integer.toString(settings.ports().postgres()))
                    .containsEntry("REDIS_SENTINEL_MASTER", settings.masterName()).containsKey("DB_PASSWORD")
                    .containsEntry("BACKUP_DB_PORT", Integer.toString(settings.ports().postgres()))
                    .containsEntry("BACKUP_DB_USER", "jc_backup").containsKey("BACKUP_DB_PASSWORD");

            // starting again on the same directory leaves the running servers alone and keeps the secrets
            InfraHarness again = InfraHarness.start(settings);
            assertThat(again.dbPassword()).isEqualTo(harness.dbPassword());
            assertThat(again.backupDbPassword()).isEqualTo(harness.backupDbPassword());
            assertThat(again.status()).isEqualTo(harness.status());
        }
        InfraHarness stopped = InfraHarness.attach(settings.directory()).orElseThrow();
        assertThat(stopped.status()).allSatisfy(line -> assertThat(line).endsWith("stopped"));
        deleteQuietly(settings);
    }

    @Test
    void stateFileWrittenBeforeBackupsGetsABackupPasswordOnce() throws Exception {
        InfraSettings settings = InfraSettings.forTests("state-test");
        Properties old = new Properties();
        settings.ports().store(old);
        old.setProperty("db-password", "kept");
        Files.createDirectories(settings.directory());
        try (var out = Files.newBufferedWriter(settings.directory().resolve("harness.properties"))) {
            old.store(out, null);
        }
        try {
            HarnessState upgraded = HarnessState.loadOrCreate(settings);
            assertThat(upgraded.dbPassword()).isEqualTo("kept");
            assertThat(upgraded.backupDbPassword()).matches("[0-9a-f]{36}");
            // stored, so the next start and attach see the same password
            assertThat(HarnessState.loadOrCreate(settings).backupDbPassword()).isEqualTo(upgraded.backupDbPassword());
            assertThat(Files.getPosixFilePermissions(settings.directory().resolve("harness.properties")))
                    .isEqualTo(PosixFilePermissions.fromString("rw-------"));
        } finally {
            deleteQuietly(settings);
        }
    }

    @Test
    void missingBinaryNamesTheDebianPackage() {
        assertThatThrownBy(() -> DebianBinaries.require("jc-no-such-binary", "jc-some-package"))
                .isInstanceOf(DebianBinaries.MissingBinaryException.class)
                .hasMessage("jc-no-such-binary not found: install the Debian package 'jc-some-package' (apt-get install jc-some-package)");
    }

    private static void deleteQuietly(InfraSettings settings) throws Exception {
        try (var paths = Files.walk(settings.directory())) {
            for (var path : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }
}
