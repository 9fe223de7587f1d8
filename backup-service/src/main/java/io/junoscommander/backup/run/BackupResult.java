package io.junoscommander.backup.run;

import java.time.OffsetDateTime;
import java.util.Map;

/**
 * What a handler reports beside the objects it stored (which {@link BackupJob} counts and checksums itself).
 *
 * @param verified whether the handler proved the backup restorable or intact (e.g. {@code pg_verifybackup} passed)
 */
public record BackupResult(boolean verified, String walStart, String walEnd, OffsetDateTime consistentAt, Map<String, Object> details) {

    public static BackupResult verified(Map<String, Object> details) {
        return new BackupResult(true, null, null, null, details);
    }
}
