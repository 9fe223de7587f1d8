package io.junoscommander.backup.wal;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.time.OffsetDateTime;

/**
 * The WAL receiver as {@code GET /api/v1/backups/wal} shows it. {@code synchronous} is the server's view (the receiver is
 * the synchronous standby now), {@code synchronousConfigured} what this service asked for.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record WalStatusView(boolean enabled, boolean running, String state, String holder, OffsetDateTime heldSince,
        OffsetDateTime leaseExpiresAt, boolean heldByThisReplica, String slot, String applicationName, boolean synchronousConfigured,
        boolean synchronous, String syncState, String serverLsn, String receivedLsn, String flushedLsn, Double lagBytes,
        Double lagSeconds, Instant measuredAt, String lastSegment, OffsetDateTime lastSegmentArchivedAt, double restarts,
        String lastError) {
}
