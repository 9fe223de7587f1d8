package io.junoscommander.backup.restore;

import java.nio.file.Path;
import java.time.OffsetDateTime;

/**
 * {@code POST /api/v1/backups/{id}/restore}, validated: the latest state or a point in time of a full backup, or one
 * schema of a logical dump; into {@code dataDirectory} (null: a folder under the service's work directory); started for a
 * check when {@code start}, on {@code port} (null: a free one), and left running when {@code keepRunning}.
 */
public record RestoreRequest(String target, OffsetDateTime targetTime, String schema, Path dataDirectory, boolean start, Integer port,
        boolean keepRunning) {

    public static final String LATEST = "latest";
    public static final String TIME = "time";

    public boolean schemaRestore() {
        return schema != null;
    }
}
