package io.junoscommander.backup.run;

import io.junoscommander.backup.catalog.BackupKind;

/**
 * One kind of backup. {@link BackupRunner} gives each run a catalog row, a scratch directory, a heartbeat and the
 * storage; the handler does the work on a worker thread and says what it produced. Throwing fails the run (the
 * message is recorded, so it must never carry a secret).
 */
public interface BackupHandler {

    BackupKind kind();

    BackupResult run(BackupJob job) throws Exception;
}
