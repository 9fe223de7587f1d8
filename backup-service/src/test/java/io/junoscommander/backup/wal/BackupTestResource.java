package io.junoscommander.backup.wal;

import io.junoscommander.infra.InfraHarness;
import io.junoscommander.infra.testing.SharedInfra;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * A fresh backup directory per test application (the harness's database is new in every test JVM, and a receiver directory
 * left by an earlier run would hold WAL of another cluster), and the two grants the README asks an operator to give the
 * backup role: {@code pg_monitor} (the WAL sender's positions and lag) and {@code pg_switch_wal()} (incremental runs).
 */
public class BackupTestResource implements QuarkusTestResourceLifecycleManager {

    @Override
    public Map<String, String> start() {
        SharedInfra.harness().queryAsSuperuser("GRANT pg_monitor TO " + InfraHarness.BACKUP_USER + ";"
                + " GRANT EXECUTE ON FUNCTION pg_switch_wal() TO " + InfraHarness.BACKUP_USER);
        try {
            Path root = Files.createTempDirectory("jc-backup-test");
            return Map.of("BACKUP_DIR", root.resolve("store").toString(), "BACKUP_WORK_DIR", root.resolve("work").toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void stop() {
        // temporary folders; the OS clears them
    }
}
