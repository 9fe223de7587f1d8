package io.junoscommander.backup.retention;

import java.time.Instant;
import java.util.Map;

/**
 * Something else the scheduled cleanup prunes, with its own rule (e.g. device configuration versions, which keep
 * {@code BACKUP_DEVICE_VERSIONS_KEEP} per device). Any {@code @ApplicationScoped} bean implementing this is called by every
 * cleanup run, on a worker thread, after the backup runs were pruned; a participant that throws fails the cleanup run.
 */
public interface RetentionParticipant {

    /** Its key in the cleanup run's details. */
    String name();

    /**
     * Removes what its own rule lets go. {@code cutoff} is the start of the {@code BACKUP_RETENTION_DAYS} window (for
     * participants that follow it). Returns what it removed, for the cleanup run's details.
     */
    Map<String, Object> prune(Instant now, Instant cutoff) throws Exception;
}
