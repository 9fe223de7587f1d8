package io.junoscommander.backup.catalog;

import io.junoscommander.support.problem.ProblemException;
import java.util.Arrays;
import java.util.stream.Collectors;

/** What a backup run backs up; the wire name is what the API and the catalog use. */
public enum BackupKind {
    POSTGRES_FULL("postgres-full"),
    POSTGRES_INCREMENTAL("postgres-incremental"),
    POSTGRES_LOGICAL("postgres-logical"),
    REDIS("redis"),
    DEVICE_CONFIGS("device-configs"),
    /** The scheduled restore drill is recorded in the catalog like a backup, so its result and duration are kept. */
    RESTORE_DRILL("restore-drill"),
    CLEANUP("cleanup");

    private final String wireName;

    BackupKind(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    public static BackupKind fromWire(String field, String value) {
        return Arrays.stream(values()).filter(kind -> kind.wireName.equals(value)).findFirst()
                .orElseThrow(() -> ProblemException.badRequest(field, "unknown kind '" + value + "'; one of "
                        + Arrays.stream(values()).map(BackupKind::wireName).collect(Collectors.joining(", "))));
    }
}
