package io.junoscommander.backup.restore;

import io.junoscommander.backup.catalog.BackupCatalog;
import io.junoscommander.backup.catalog.BackupKind;
import io.junoscommander.backup.catalog.BackupRun;
import io.junoscommander.backup.config.BackupConfig;
import io.junoscommander.backup.postgres.PgTools;
import io.junoscommander.backup.postgres.WalSource;
import io.junoscommander.backup.run.BackupRunner;
import io.junoscommander.backup.storage.BackupStorage;
import io.junoscommander.support.config.ServiceIdentity;
import io.junoscommander.support.persistence.Rows;
import io.junoscommander.support.problem.ProblemException;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.panache.common.Sort;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.jboss.logging.Logger;

/**
 * The service's side of restores and verification: picks the backup (by id, {@code latest}, or the newest one consistent
 * before a point in time), records the restore, runs {@link PostgresRestorer} on a thread of its own, and re-verifies
 * stored backups. Blocking methods: call them from worker threads.
 */
@ApplicationScoped
public class RestoreService {

    private static final Logger LOG = Logger.getLogger(RestoreService.class);

    private final BackupCatalog catalog;
    private final BackupStorage storage;
    private final BackupConfig config;
    private final Instance<WalSource> walSources;
    private final String instanceId;
    private final MeterRegistry meters;
    /** Data directories a restore on this replica is writing, so two requests never write into one. */
    private final java.util.Set<Path> busyDirectories = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final ExecutorService workers = Executors.newCachedThreadPool(task -> {
        Thread thread = new Thread(task, "restore-worker");
        thread.setDaemon(true);
        return thread;
    });

    RestoreService(BackupCatalog catalog, BackupStorage storage, BackupConfig config, Instance<WalSource> walSources,
            ServiceIdentity identity, MeterRegistry meters) {
        this.meters = meters;
        this.catalog = catalog;
        this.storage = storage;
        this.config = config;
        this.walSources = walSources;
        this.instanceId = identity.instanceId();
    }

    void stop(@Observes ShutdownEvent event) {
        workers.shutdownNow();
    }

    public PgTools tools() {
        return PgTools.locate(config.postgres().binDir());
    }

    /** The plain restorer over this service's storage and work directory, logging each step. */
    public PostgresRestorer restorer() {
        return new PostgresRestorer(tools(), storage, config.workDir(), line -> LOG.info(line));
    }

    /** The archived WAL, when the WAL receiver's source is deployed; null otherwise (only the backup's own WAL is replayed). */
    public WalSource walSource() {
        return walSources.isResolvable() ? walSources.get() : null;
    }

    /**
     * Picks the backup for {@code request} ({@code id}: a backup id or {@code latest}), records the restore and starts it in
     * the background. 404 unknown backup; 409 a backup that cannot be restored (failed, unverified, other kind); 422 no
     * backup for the target time.
     */
    public RestoreRun start(String id, RestoreRequest request, String user) throws Exception {
        BackupKind kind = request.schemaRestore() ? BackupKind.POSTGRES_LOGICAL : BackupKind.POSTGRES_FULL;
        BackupRun backup = resolve(id, kind, request.targetTime());
        List<BackupDescriptor.FileEntry> files = BackupRunner.awaitCatalog(() -> catalog.files(backup.id)).stream()
                .map(f -> new BackupDescriptor.FileEntry(f.name, f.sizeBytes, f.sha256)).toList();
        BackupDescriptor descriptor = BackupDescriptor.of(backup, List.of()).withFiles(files);
        if (request.schemaRestore() && !descriptor.recordedSchemas().containsKey(request.schema())) {
            throw new ProblemException(422, "schema-not-in-backup", "Schema not in the backup", "backup " + backup.id
                    + " has no schema '" + request.schema() + "'; it has " + descriptor.recordedSchemas().keySet(), List.of());
        }
        RestoreRun run = new RestoreRun();
        run.id = UUID.randomUUID();
        run.backupId = backup.id;
        run.kind = request.schemaRestore() ? "schema" : "full";
        run.target = request.target();
        run.targetTime = request.targetTime();
        run.schemaName = request.schema();
        Path dataDir = request.dataDirectory() != null ? request.dataDirectory()
                : config.workDir().toAbsolutePath().resolve("restores").resolve(run.id.toString()).resolve("data");
        run.dataDirectory = dataDir.toString();
        if (!busyDirectories.add(dataDir)) {
            throw new ProblemException(409, "data-directory-busy", "Data directory in use", "another restore is writing into " + dataDir,
                    List.of());
        }
        run.startServer = request.start() || request.schemaRestore();
        run.keepRunning = request.keepRunning();
        run.status = RestoreRun.RUNNING;
        run.requestedBy = user;
        run.instanceId = instanceId;
        run.startedAt = Rows.now();
        try {
            BackupRunner.awaitCatalog(() -> Panache.withTransaction(run::persist));
        } catch (Exception e) {
            busyDirectories.remove(dataDir);
            throw e;
        }
        LOG.infof("restore %s of backup %s (%s, target %s) into %s requested by %s", run.id, backup.id, run.kind, run.target,
                run.dataDirectory, user);
        RestoreOptions options = new RestoreOptions(request.targetTime(), run.startServer, request.port(), request.keepRunning(), false,
                walSource(), Duration.ofHours(6));
        workers.execute(() -> {
            try {
                execute(run.id, descriptor, request, dataDir, options);
            } finally {
                busyDirectories.remove(dataDir);
            }
        });
        return run;
    }

    private void execute(UUID restoreId, BackupDescriptor backup, RestoreRequest request, Path dataDir, RestoreOptions options) {
        long start = System.nanoTime();
        try {
            RestoreOutcome outcome = request.schemaRestore() ? restorer().restoreSchema(backup, request.schema(), dataDir, options)
                    : restorer().restoreFull(backup, dataDir, options);
            String failure = outcome.firstFailure();
            finish(restoreId, failure == null ? RestoreRun.SUCCEEDED : RestoreRun.FAILED, outcome, failure, start);
            LOG.infof("restore %s %s in %.1f s", restoreId, failure == null ? "succeeded" : "failed a check: " + failure,
                    outcome.seconds());
        } catch (Exception | LinkageError e) {
            String error = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            LOG.warnf("restore %s failed: %s", restoreId, error);
            finish(restoreId, RestoreRun.FAILED, null, error, start);
        }
    }

    private void finish(UUID restoreId, String status, RestoreOutcome outcome, String error, long startNanos) {
        meters.timer("backup.restore.duration", "outcome", status).record(Duration.ofNanos(System.nanoTime() - startNanos));
        try {
            BackupRunner.awaitCatalog(() -> Panache.withTransaction(() -> RestoreRun.<RestoreRun>findById(restoreId).invoke(run -> {
                run.status = status;
                run.finishedAt = Rows.now();
                run.durationMs = (System.nanoTime() - startNanos) / 1_000_000;
                run.error = error;
                if (outcome != null) {
                    run.port = outcome.port();
                    run.serverRunning = outcome.running();
                    run.stopCommand = outcome.stopCommand();
                    run.walSegments = outcome.walSegments();
                    run.checks = checksAsMap(outcome.checks());
                }
            })));
        } catch (Exception e) {
            LOG.warnf("could not record the end of restore %s: %s", restoreId, e.getMessage());
            if (outcome != null) {
                // never leave the row running: record at least the status and the reason
                finish(restoreId, RestoreRun.FAILED, null, "the outcome could not be recorded: " + e.getMessage(), startNanos);
            }
        }
    }

    static Map<String, Object> checksAsMap(List<RestoreCheck> checks) {
        Map<String, Object> map = new LinkedHashMap<>();
        checks.forEach(check -> map.put(check.name(), Map.of("ok", check.ok(), "detail", check.detail())));
        return map;
    }

    static Map<String, Object> checkAsMap(RestoreCheck check) {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("name", check.name());
        map.put("ok", check.ok());
        map.put("detail", check.detail());
        return map;
    }

    public RestoreRun find(UUID restoreId) throws Exception {
        RestoreRun run = BackupRunner.awaitCatalog(() -> Panache.withSession(() -> RestoreRun.<RestoreRun>findById(restoreId)));
        if (run == null) {
            throw ProblemException.notFound("restore " + restoreId);
        }
        return run;
    }

    /**
     * The backup a restore starts from: {@code latest} is the newest verified one of {@code kind} (for a point in time: the
     * newest consistent at or before it), an id must name a succeeded, verified backup of {@code kind}.
     */
    BackupRun resolve(String id, BackupKind kind, OffsetDateTime targetTime) throws Exception {
        if ("latest".equals(id)) {
            if (targetTime == null) {
                BackupRun newest = BackupRunner.awaitCatalog(() -> Panache.withSession(() -> BackupRun.<BackupRun>find("kind = ?1"
                        + " and status = ?2 and verified = true", Sort.descending("startedAt"), kind.wireName(), BackupRun.SUCCEEDED)
                        .firstResult()));
                if (newest == null) {
                    throw new ProblemException(422, "no-backup", "No backup to restore", "there is no verified " + kind.wireName()
                            + " backup", List.of());
                }
                return newest;
            }
            BackupRun found = BackupRunner.awaitCatalog(() -> Panache.withSession(() -> BackupRun.<BackupRun>find("kind = ?1"
                    + " and status = ?2 and verified = true and consistentAt <= ?3", Sort.descending("consistentAt"),
                    kind.wireName(), BackupRun.SUCCEEDED, targetTime).firstResult()));
            if (found == null) {
                throw new ProblemException(422, "no-backup-for-target", "No backup before the target time", "no verified "
                        + kind.wireName() + " backup is consistent at or before " + targetTime + "; a point-in-time restore needs one",
                        List.of());
            }
            return found;
        }
        UUID backupId;
        try {
            backupId = UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            throw ProblemException.badRequest("id", "a backup id (UUID) or 'latest'");
        }
        BackupRun run = BackupRunner.awaitCatalog(() -> catalog.find(backupId));
        if (!kind.wireName().equals(run.kind)) {
            throw new ProblemException(409, "wrong-backup-kind", "Backup of another kind", "backup " + backupId + " is a " + run.kind
                    + " backup; this restore needs a " + kind.wireName() + " backup", List.of());
        }
        if (!BackupRun.SUCCEEDED.equals(run.status) || !run.verified) {
            throw new ProblemException(409, "backup-not-restorable", "Backup not restorable", "backup " + backupId + " is " + run.status
                    + (run.verified ? "" : " and not verified") + (run.error == null ? "" : " (" + run.error + ")"), List.of());
        }
        if (targetTime != null && (run.consistentAt == null || run.consistentAt.isAfter(targetTime))) {
            throw new ProblemException(422, "no-backup-for-target", "Backup newer than the target time", "backup " + backupId
                    + " is consistent only from " + run.consistentAt + ", after the target " + targetTime, List.of());
        }
        return run;
    }

    /** Re-reads a backup's objects and records the outcome in the catalog (verified, or not with the error naming the file). */
    public BackupVerifier.Report verify(UUID backupId) throws Exception {
        BackupRun run = BackupRunner.awaitCatalog(() -> catalog.find(backupId));
        if (!BackupRun.SUCCEEDED.equals(run.status)) {
            throw new ProblemException(409, "backup-not-finished", "Backup not finished", "backup " + backupId + " is " + run.status
                    + "; only a succeeded backup can be verified", List.of());
        }
        List<BackupDescriptor.FileEntry> files = BackupRunner.awaitCatalog(() -> catalog.files(backupId)).stream()
                .map(f -> new BackupDescriptor.FileEntry(f.name, f.sizeBytes, f.sha256)).toList();
        BackupDescriptor descriptor = BackupDescriptor.of(run, List.of()).withFiles(files);
        BackupVerifier.Report report = new BackupVerifier(tools(), storage, config.workDir()).verify(descriptor, run.checksum);
        BackupRunner.awaitCatalog(() -> catalog.markVerified(backupId, report.verified(), report.error()));
        LOG.infof("backup %s re-verified: %s", backupId, report.verified() ? "intact" : report.error());
        return report;
    }

    /** The newest verified full backup, for the drill. */
    public Optional<BackupDescriptor> latestVerifiedFull() throws Exception {
        BackupRun run = BackupRunner.awaitCatalog(() -> Panache.withSession(() -> BackupRun.<BackupRun>find("kind = ?1 and status = ?2"
                + " and verified = true", Sort.descending("startedAt"), BackupKind.POSTGRES_FULL.wireName(), BackupRun.SUCCEEDED)
                .firstResult()));
        if (run == null) {
            return Optional.empty();
        }
        List<BackupDescriptor.FileEntry> files = BackupRunner.awaitCatalog(() -> catalog.files(run.id)).stream()
                .map(f -> new BackupDescriptor.FileEntry(f.name, f.sizeBytes, f.sha256)).toList();
        return Optional.of(BackupDescriptor.of(run, List.of()).withFiles(files));
    }

    public BackupConfig config() {
        return config;
    }
}
