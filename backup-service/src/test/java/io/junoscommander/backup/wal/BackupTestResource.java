package io.junoscommander.backup.wal;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;

/**
 * A fresh backup directory per test application: the harness's database is new in every test JVM, and a receiver directory
 * left by an earlier run would hold WAL of another cluster. (The harness gives the backup role the grants the README asks
 * an operator for: {@code pg_monitor} and {@code pg_switch_wal()}.)
 */
public class BackupTestResource implements QuarkusTestResourceLifecycleManager {

    @Override
    public Map<String, String> start() {
        try {
            // scratch PostgreSQL servers run as the postgres user, which must traverse into the work directory
            Path root = Files.createTempDirectory("jc-backup-test", PosixFilePermissions.asFileAttribute(
                    PosixFilePermissions.fromString("rwxr-xr-x")));
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
