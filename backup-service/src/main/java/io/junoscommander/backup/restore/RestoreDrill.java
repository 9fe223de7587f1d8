package io.junoscommander.backup.restore;

import io.junoscommander.backup.catalog.BackupKind;
import io.junoscommander.backup.run.BackupHandler;
import io.junoscommander.backup.run.BackupJob;
import io.junoscommander.backup.run.BackupResult;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * The restore drill: the newest verified full backup plus the archived WAL restored into the run's scratch directory,
 * started on a free port, checked (every schema and table recorded at backup time is there with at least its rows),
 * stopped and deleted. Its run records the backup it proved, the checks and how long the restore took.
 */
@ApplicationScoped
public class RestoreDrill implements BackupHandler {

    private static final Logger LOG = Logger.getLogger(RestoreDrill.class);

    private final RestoreService restores;

    RestoreDrill(RestoreService restores) {
        this.restores = restores;
    }

    @Override
    public BackupKind kind() {
        return BackupKind.RESTORE_DRILL;
    }

    @Override
    public BackupResult run(BackupJob job) throws Exception {
        BackupDescriptor backup = restores.latestVerifiedFull()
                .orElseThrow(() -> new IllegalStateException("no verified postgres-full backup to drill with"));
        // inside the run's scratch directory, which the runner deletes afterwards
        Path dataDir = job.workDir().resolve("data");
        RestoreOptions options = new RestoreOptions(null, true, null, false, true, restores.walSource(), Duration.ofHours(6));
        RestoreOutcome outcome = restores.restorer().restoreFull(backup, dataDir, options);
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("backupId", backup.id().toString());
        details.put("backupConsistentAt", String.valueOf(backup.consistentAt()));
        details.put("restoreSeconds", outcome.seconds());
        details.put("port", outcome.port());
        details.put("walSegments", outcome.walSegments());
        details.put("walSource", restores.walSource() != null);
        details.put("lastReplayedCommit", outcome.lastReplayedCommit());
        details.put("checks", outcome.checks().stream().map(RestoreService::checkAsMap).toList());
        if (!outcome.checksPassed()) {
            throw new IllegalStateException("restore drill of backup " + backup.id() + " failed a check: " + outcome.firstFailure());
        }
        LOG.infof("restore drill of backup %s passed in %.1f s (%d checks)", backup.id(), outcome.seconds(), outcome.checks().size());
        return new BackupResult(true, null, null, null, details);
    }
}
