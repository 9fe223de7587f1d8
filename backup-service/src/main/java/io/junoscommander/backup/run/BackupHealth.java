package io.junoscommander.backup.run;

import io.junoscommander.backup.catalog.BackupCatalog;
import io.junoscommander.backup.catalog.BackupRun;
import io.junoscommander.backup.storage.BackupStorage;
import io.junoscommander.support.health.ComponentContributor;
import io.junoscommander.support.health.ComponentReport;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code /health/detailed} shows the last result of each kind. A failed backup is DOWN here but never makes the service
 * unready: taking the replica out of rotation would not make the next backup succeed.
 */
@ApplicationScoped
public class BackupHealth implements ComponentContributor {

    private final BackupCatalog catalog;
    private final BackupStorage storage;

    BackupHealth(BackupCatalog catalog, BackupStorage storage) {
        this.catalog = catalog;
        this.storage = storage;
    }

    @Override
    public Uni<List<ComponentReport>> components() {
        long start = System.nanoTime();
        return catalog.latestOfEachKind().ifNoItem().after(Duration.ofSeconds(2)).fail().map(runs -> runs.stream().map(run -> {
            Map<String, Object> details = new LinkedHashMap<>();
            details.put("status", run.status);
            details.put("startedAt", run.startedAt.toString());
            if (run.finishedAt != null) {
                details.put("finishedAt", run.finishedAt.toString());
            }
            details.put("verified", run.verified);
            details.put("backupId", run.id.toString());
            long ms = (System.nanoTime() - start) / 1_000_000;
            return BackupRun.FAILED.equals(run.status)
                    ? new ComponentReport("backup:" + run.kind, "DOWN", storage.kind(), null, ms, run.error, details)
                    : ComponentReport.up("backup:" + run.kind, storage.kind(), null, ms, details);
        }).toList()).onFailure().recoverWithItem(e -> List.of(ComponentReport.down("backup-catalog", "postgresql", null,
                (System.nanoTime() - start) / 1_000_000, e.getMessage() == null ? "catalog unavailable" : e.getMessage())));
    }
}
