package io.junoscommander.backup.restore;

import io.junoscommander.backup.postgres.WalSource;
import java.time.Duration;
import java.time.OffsetDateTime;

/**
 * How to restore: up to {@code targetTime} (null: the latest state the WAL reaches), whether to start the result for a
 * check (on {@code port}, or a free one when null), whether to leave it running, whether row counts must be at least the
 * recorded ones (the drill) or the tables only present, and where archived WAL comes from (null: only the WAL inside
 * the backup).
 */
public record RestoreOptions(OffsetDateTime targetTime, boolean start, Integer port, boolean keepRunning, boolean requireRecordedCounts,
        WalSource walSource, Duration recoveryTimeout) {

    public static RestoreOptions latest(boolean start) {
        return new RestoreOptions(null, start, null, false, false, null, Duration.ofHours(6));
    }

    public RestoreOptions withWalSource(WalSource source) {
        return new RestoreOptions(targetTime, start, port, keepRunning, requireRecordedCounts, source, recoveryTimeout);
    }
}
