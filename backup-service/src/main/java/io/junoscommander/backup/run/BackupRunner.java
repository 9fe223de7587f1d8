package io.junoscommander.backup.run;

import io.junoscommander.backup.catalog.BackupCatalog;
import io.junoscommander.backup.catalog.BackupFile;
import io.junoscommander.backup.catalog.BackupKind;
import io.junoscommander.backup.catalog.BackupRun;
import io.junoscommander.backup.config.BackupConfig;
import io.junoscommander.backup.storage.BackupStorage;
import io.junoscommander.support.config.ServiceIdentity;
import io.junoscommander.support.problem.ProblemException;
import io.junoscommander.support.shutdown.ShutdownGate;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.vertx.VertxContextSupport;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.jboss.logging.Logger;

/**
 * Runs backups: a catalog row first (the cluster-wide guard against two of one kind at once), then the handler's work on
 * a thread of its own (backups take minutes and block on processes and files), kept alive by a heartbeat, and finally the
 * outcome with every object's checksum. Keeps the per-kind metrics.
 */
@ApplicationScoped
public class BackupRunner {

    private static final Logger LOG = Logger.getLogger(BackupRunner.class);
    private static final Duration HEARTBEAT = Duration.ofSeconds(20);
    /** Left for what follows the backups in a shutdown (recording an interrupted run, closing pools) within the budget. */
    private static final Duration SHUTDOWN_MARGIN = Duration.ofSeconds(3);

    private final BackupCatalog catalog;
    private final BackupStorage storage;
    private final BackupConfig config;
    private final String instanceId;
    private final MeterRegistry meters;
    private final ShutdownGate shutdown;
    private final Map<BackupKind, BackupHandler> handlers = new EnumMap<>(BackupKind.class);
    private final Map<BackupKind, LastRun> lastRuns = new ConcurrentHashMap<>();
    private final AtomicInteger threads = new AtomicInteger();
    private final ExecutorService workers = Executors.newCachedThreadPool(task -> {
        Thread thread = new Thread(task, "backup-worker-" + threads.incrementAndGet());
        thread.setDaemon(true);
        return thread;
    });
    private final ScheduledExecutorService heartbeats = Executors.newSingleThreadScheduledExecutor(task -> {
        Thread thread = new Thread(task, "backup-heartbeat");
        thread.setDaemon(true);
        return thread;
    });

    /** The figures of the last finished run of a kind, as the metrics show them. */
    private static final class LastRun {
        volatile double successEpochSeconds = Double.NaN;
        volatile double durationSeconds = Double.NaN;
        volatile double sizeBytes = Double.NaN;
    }

    BackupRunner(BackupCatalog catalog, BackupStorage storage, BackupConfig config, ServiceIdentity identity, MeterRegistry meters,
            Instance<BackupHandler> available, ShutdownGate shutdown) {
        this.shutdown = shutdown;
        this.catalog = catalog;
        this.storage = storage;
        this.config = config;
        this.instanceId = identity.instanceId();
        this.meters = meters;
        for (BackupHandler handler : available) {
            handlers.put(handler.kind(), handler);
        }
        for (BackupKind kind : BackupKind.values()) {
            LastRun last = new LastRun();
            lastRuns.put(kind, last);
            Gauge.builder("backup.last.success.timestamp.seconds", last, l -> l.successEpochSeconds).tag("kind", kind.wireName())
                    .description("end of the last successful backup of this kind (epoch seconds)").register(meters);
            Gauge.builder("backup.last.duration.seconds", last, l -> l.durationSeconds).tag("kind", kind.wireName())
                    .description("duration of the last finished backup of this kind").register(meters);
            Gauge.builder("backup.last.size.bytes", last, l -> l.sizeBytes).tag("kind", kind.wireName())
                    .description("size of the last successful backup of this kind").register(meters);
            meters.counter("backup.failures", "kind", kind.wireName());
        }
    }

    /** The gauges start from the catalog, so a restarted replica does not report "never". */
    void loadLastRuns(@Observes StartupEvent event) {
        for (BackupKind kind : BackupKind.values()) {
            Optional.ofNullable(awaitQuietly(() -> catalog.latest(kind, BackupRun.SUCCEEDED))).flatMap(found -> found)
                    .ifPresent(this::remember);
        }
    }

    /**
     * A backup running when the service stops may finish within what is left of {@code SHUTDOWN_DELAY + SHUTDOWN_TIMEOUT}
     * (less a margin for the rest of the shutdown); only then is it interrupted, and recorded as failed.
     */
    void stop(@Observes ShutdownEvent event) {
        workers.shutdown();
        Duration budget = shutdown.timeLeft().minus(SHUTDOWN_MARGIN);
        try {
            if (!workers.isTerminated()) {
                LOG.infof("shutting down: waiting up to %d ms for the backups in progress", Math.max(0, budget.toMillis()));
            }
            if (!workers.awaitTermination(Math.max(0, budget.toMillis()), TimeUnit.MILLISECONDS)) {
                LOG.warn("shutting down: backups still running are interrupted");
                workers.shutdownNow();
                workers.awaitTermination(SHUTDOWN_MARGIN.toMillis() / 2, TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            workers.shutdownNow();
        }
        heartbeats.shutdownNow();
    }

    public boolean supports(BackupKind kind) {
        return handlers.containsKey(kind);
    }

    /**
     * Starts a backup of {@code kind}: the answer is the catalog row as soon as it exists (status running); the work goes
     * on in the background. 409 when one of that kind runs anywhere already.
     */
    public Uni<BackupRun> start(BackupKind kind, String trigger, String requestedBy) {
        BackupHandler handler = handlers.get(kind);
        if (handler == null) {
            return Uni.createFrom().failure(ProblemException.badRequest("kind", kind.wireName() + " backups cannot be requested"));
        }
        return catalog.begin(kind, trigger, requestedBy, instanceId, storage.kind(), storage.encrypted()).call(run -> {
            try {
                workers.execute(() -> execute(handler, run));
            } catch (RejectedExecutionException stopping) {
                // the service is shutting down (a schedule fired late): the row must not stay "running"
                return catalog.fail(run.id, "not started: the service is shutting down", Map.of()).onItem().failWith(failed ->
                        new ProblemException(503, "shutting-down", "Service shutting down", "this replica is shutting down; retry",
                                List.of()));
            }
            LOG.infof("backup %s (%s) started by %s", run.id, kind.wireName(), requestedBy == null ? trigger : requestedBy);
            return Uni.createFrom().voidItem();
        });
    }

    /** For schedules: start one unless one of that kind runs already (then this period is covered by it). */
    public Uni<Void> startScheduled(BackupKind kind) {
        return start(kind, "schedule", null).replaceWithVoid().onFailure(ProblemException.class).recoverWithUni(e -> {
            LOG.infof("scheduled %s backup skipped: %s", kind.wireName(), e.getMessage());
            return Uni.createFrom().voidItem();
        });
    }

    private void execute(BackupHandler handler, BackupRun run) {
        Path workDir = config.workDir().resolve(run.id.toString());
        ScheduledFuture<?> beat = heartbeats.scheduleAtFixedRate(() -> awaitQuietly(() -> catalog.heartbeat(run.id)), HEARTBEAT.toMillis(),
                HEARTBEAT.toMillis(), TimeUnit.MILLISECONDS);
        BackupKind kind = handler.kind();
        try {
            Files.createDirectories(workDir);
            BackupJob job = new BackupJob(run.id, run.location, workDir, storage);
            BackupResult result = handler.run(job);
            String checksum = job.files().isEmpty() ? null : job.storeChecksums();
            long size = job.files().stream().mapToLong(f -> f.sizeBytes).sum();
            List<BackupFile> files = job.files();
            BackupRun done = await(() -> catalog.succeed(run.id, new BackupCatalog.Outcome(size, checksum, result.verified(),
                    result.walStart(), result.walEnd(), result.consistentAt(), result.details(), files)));
            remember(done);
            LOG.infof("backup %s (%s) succeeded: %d bytes in %d ms, verified=%s", run.id, kind.wireName(), size, done.durationMs,
                    result.verified());
        } catch (Exception | LinkageError e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            String error = e instanceof InterruptedException ? "interrupted: the service stopped during the backup" : describe(e);
            meters.counter("backup.failures", "kind", kind.wireName()).increment();
            LOG.warnf("backup %s (%s) failed: %s", run.id, kind.wireName(), error);
            Optional.ofNullable(awaitQuietly(() -> catalog.fail(run.id, error, Map.of()))).ifPresent(failed ->
                    lastRuns.get(kind).durationSeconds = failed.durationMs / 1000.0);
        } finally {
            beat.cancel(false);
            deleteTree(workDir);
        }
    }

    private void remember(BackupRun run) {
        LastRun last = lastRuns.get(run.backupKind());
        if (run.finishedAt != null) {
            last.successEpochSeconds = run.finishedAt.toEpochSecond();
        }
        if (run.durationMs != null) {
            last.durationSeconds = run.durationMs / 1000.0;
        }
        if (run.sizeBytes != null) {
            last.sizeBytes = run.sizeBytes;
        }
    }

    /** A failure as the catalog shows it: the message, never a stack trace. */
    static String describe(Throwable e) {
        String message = e.getMessage();
        return message == null || message.isBlank() ? e.getClass().getSimpleName() : message;
    }

    /** Runs a reactive catalog call from this worker thread and waits for it. */
    private static <T> T await(java.util.function.Supplier<Uni<T>> call) throws Exception {
        try {
            return VertxContextSupport.subscribeAndAwait(call);
        } catch (Throwable e) {
            if (e instanceof Exception exception) {
                throw exception;
            }
            throw new IllegalStateException(e);
        }
    }

    private static <T> T awaitQuietly(java.util.function.Supplier<Uni<T>> call) {
        try {
            return await(call);
        } catch (Exception e) {
            LOG.warnf("catalog call failed: %s", e.getMessage());
            return null;
        }
    }

    static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            LOG.warnf("could not delete %s: %s", dir, e.getMessage());
        }
    }

    /** Awaits a catalog call from a worker thread; for handlers that record more than their own run (e.g. the drill). */
    public static <T> T awaitCatalog(java.util.function.Supplier<Uni<T>> call) throws Exception {
        return await(call);
    }
}
