package io.junoscommander.backup.catalog;

import io.junoscommander.support.persistence.Rows;
import io.junoscommander.support.problem.ProblemException;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.panache.common.Sort;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/** The backup catalog: begin a run (one per kind at a time, cluster-wide), keep it alive, finish it, find runs. */
@ApplicationScoped
public class BackupCatalog {

    /** A running row whose heartbeat is older than this belongs to a replica that died mid-run. */
    public static final Duration ABANDONED_AFTER = Duration.ofMinutes(2);

    private static final java.time.format.DateTimeFormatter LOCATION_TIME = java.time.format.DateTimeFormatter
            .ofPattern("yyyyMMdd'T'HHmmss'Z'");

    /** The facts a finished run leaves in the catalog. */
    public record Outcome(long sizeBytes, String checksum, boolean verified, String walStart, String walEnd, OffsetDateTime consistentAt,
            Map<String, Object> details, List<BackupFile> files) {
    }

    /**
     * Inserts a running row for {@code kind}; when one is running already (on any replica) the answer is 409 naming it.
     * Rows left running by a replica that died are closed as failed first.
     */
    public Uni<BackupRun> begin(BackupKind kind, String trigger, String requestedBy, String instanceId, String storage, boolean encrypted) {
        OffsetDateTime now = Rows.now();
        return Panache.withTransaction(() -> BackupRun.update("status = ?1, error = ?2, finishedAt = ?3 where kind = ?4 and status = ?5"
                + " and heartbeatAt < ?6", BackupRun.FAILED, "abandoned: the replica running it stopped reporting", now, kind.wireName(),
                BackupRun.RUNNING, now.minus(ABANDONED_AFTER)).flatMap(closed -> {
                    BackupRun run = new BackupRun();
                    run.id = UUID.randomUUID();
                    run.kind = kind.wireName();
                    run.status = BackupRun.RUNNING;
                    run.trigger = trigger;
                    run.requestedBy = requestedBy;
                    run.instanceId = instanceId;
                    run.startedAt = now;
                    run.heartbeatAt = now;
                    run.storage = storage;
                    run.location = kind.wireName() + "/" + LOCATION_TIME.format(now) + "-" + run.id.toString().substring(0, 8)
                            + "/";
                    run.encrypted = encrypted;
                    return run.<BackupRun>persistAndFlush();
                })).onFailure(Rows::isUniqueViolation).recoverWithUni(e -> running(kind).map(other -> {
                    String id = other.map(r -> r.id.toString()).orElse("unknown");
                    throw new ProblemException(409, "backup-running", "Backup already running", "a " + kind.wireName()
                            + " backup is running already (" + id + "); two of one kind never run at once", List.of())
                            .withHeader("Location", "/api/v1/backups/" + id);
                }));
    }

    public Uni<Optional<BackupRun>> running(BackupKind kind) {
        return Panache.withSession(() -> BackupRun.<BackupRun>find("kind = ?1 and status = ?2", kind.wireName(), BackupRun.RUNNING)
                .firstResult().map(Optional::ofNullable));
    }

    public Uni<Void> heartbeat(UUID id) {
        return Panache.withTransaction(() -> BackupRun.update("heartbeatAt = ?1 where id = ?2 and status = ?3", Rows.now(), id,
                BackupRun.RUNNING)).replaceWithVoid();
    }

    public Uni<BackupRun> succeed(UUID id, Outcome outcome) {
        return Panache.withTransaction(() -> BackupRun.<BackupRun>findById(id).flatMap(run -> {
            OffsetDateTime now = Rows.now();
            run.status = BackupRun.SUCCEEDED;
            run.finishedAt = now;
            run.heartbeatAt = now;
            run.durationMs = Duration.between(run.startedAt, now).toMillis();
            run.sizeBytes = outcome.sizeBytes();
            run.checksum = outcome.checksum();
            run.verified = outcome.verified();
            run.verifiedAt = outcome.verified() ? now : null;
            run.walStart = outcome.walStart();
            run.walEnd = outcome.walEnd();
            run.consistentAt = outcome.consistentAt();
            run.details = outcome.details();
            List<BackupFile> files = new ArrayList<>(outcome.files());
            files.forEach(file -> file.backupId = id);
            // persisting an empty list fails ("The Uni set is empty"): runs such as a cleanup store no object
            return files.isEmpty() ? Uni.createFrom().item(run) : BackupFile.persist(files).replaceWith(run);
        }));
    }

    public Uni<BackupRun> fail(UUID id, String error, Map<String, Object> details) {
        return Panache.withTransaction(() -> BackupRun.<BackupRun>findById(id).map(run -> {
            OffsetDateTime now = Rows.now();
            run.status = BackupRun.FAILED;
            run.finishedAt = now;
            run.heartbeatAt = now;
            run.durationMs = Duration.between(run.startedAt, now).toMillis();
            run.error = error;
            if (details != null && !details.isEmpty()) {
                Map<String, Object> merged = run.details == null ? new HashMap<>() : new HashMap<>(run.details);
                merged.putAll(details);
                run.details = merged;
            }
            return run;
        }));
    }

    /** Marks a finished run as verified (or not) after a later check, e.g. a restore drill or a re-verification. */
    public Uni<Void> markVerified(UUID id, boolean verified, String error) {
        return Panache.withTransaction(() -> BackupRun.update("verified = ?1, verifiedAt = ?2, error = ?3 where id = ?4", verified,
                Rows.now(), error, id)).replaceWithVoid();
    }

    public Uni<BackupRun> find(UUID id) {
        return Panache.withSession(() -> BackupRun.<BackupRun>findById(id))
                .onItem().ifNull().failWith(() -> ProblemException.notFound("backup " + id));
    }

    public Uni<List<BackupFile>> files(UUID id) {
        return Panache.withSession(() -> BackupFile.<BackupFile>list("backupId = ?1 order by name", id));
    }

    /** Newest first; {@code kind} and {@code status} optional. */
    public Uni<List<BackupRun>> list(Optional<BackupKind> kind, Optional<String> status, int limit, int offset) {
        StringBuilder query = new StringBuilder("1 = 1");
        Map<String, Object> params = new HashMap<>();
        kind.ifPresent(k -> {
            query.append(" and kind = :kind");
            params.put("kind", k.wireName());
        });
        status.ifPresent(s -> {
            query.append(" and status = :status");
            params.put("status", s);
        });
        return Panache.withSession(() -> BackupRun.<BackupRun>find(query.toString(), Sort.descending("startedAt"), params)
                .range(offset, offset + limit - 1).list());
    }

    /** The newest run of {@code kind} in {@code status}, e.g. the last succeeded full backup. */
    public Uni<Optional<BackupRun>> latest(BackupKind kind, String status) {
        return Panache.withSession(() -> BackupRun.<BackupRun>find("kind = ?1 and status = ?2", Sort.descending("startedAt"),
                kind.wireName(), status).firstResult().map(Optional::ofNullable));
    }

    /** The newest run of each kind, whatever its status (the detailed health page and the metrics start from these). */
    public Uni<List<BackupRun>> latestOfEachKind() {
        return Panache.withSession(() -> BackupRun.<BackupRun>find("from BackupRun b where b.startedAt = (select max(r.startedAt)"
                + " from BackupRun r where r.kind = b.kind)").list());
    }
}
