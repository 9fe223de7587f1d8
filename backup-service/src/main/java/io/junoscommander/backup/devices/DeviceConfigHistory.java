package io.junoscommander.backup.devices;

import io.junoscommander.backup.run.BackupJob;
import io.junoscommander.support.persistence.Rows;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.panache.common.Sort;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The stored history: versions numbered per device under a lock on the device's state row (collection and the change
 * ledger may record the same device at once), the per-device fetch state, the push ledger, and the queries the API needs.
 * Contents arrive normalized ({@link ConfigNormalizer}); only a content that differs from the newest becomes a version.
 */
@ApplicationScoped
public class DeviceConfigHistory {

    /** What recording a fetched configuration did. */
    public record Recorded(int version, boolean changed) {
    }

    /** A version without its content, as lists show it. */
    public record VersionSummary(UUID deviceId, int version, String deviceName, String sha256, String source, String changedBy,
            String requestId, String taskId, OffsetDateTime fetchedAt, OffsetDateTime recordedAt, int sizeBytes, int lineCount,
            int linesAdded, int linesRemoved) {
    }

    /** Records a successful fetch: a new version when the content differs from the newest one. */
    public Uni<Recorded> recordFetched(UUID deviceId, String deviceName, String content, OffsetDateTime fetchedAt, String source,
            String requestedBy) {
        String sha256 = sha256(content);
        return Panache.withTransaction(() -> lockState(deviceId, deviceName).flatMap(state -> {
            OffsetDateTime now = Rows.now();
            state.deviceName = deviceName;
            state.lastAttemptAt = now;
            state.lastSuccessAt = now;
            state.consecutiveFailures = 0;
            state.errorKind = null;
            state.errorMessage = null;
            if (sha256.equals(state.latestSha256)) {
                return Uni.createFrom().item(new Recorded(state.latestVersion, false));
            }
            return addVersion(state, content, sha256, fetchedAt, source, requestedBy, null, null)
                    .map(version -> new Recorded(version.version, true));
        }));
    }

    /** Records a failed fetch: the error kind (the device service's problem type) and message, and one more failure in a row. */
    public Uni<Void> recordFailure(UUID deviceId, String deviceName, String errorKind, String message) {
        return Panache.withTransaction(() -> lockState(deviceId, deviceName).invoke(state -> {
            state.deviceName = deviceName;
            state.lastAttemptAt = Rows.now();
            state.consecutiveFailures++;
            state.errorKind = errorKind;
            state.errorMessage = message == null ? null : message.length() > 1000 ? message.substring(0, 1000) : message;
        })).replaceWithVoid();
    }

    /**
     * Records a committed push from the change stream, once per stream entry (a redelivered entry changes nothing and answers
     * false). The push's configuration becomes a new version when it differs from the newest; a push that changed nothing
     * is still a ledger entry pointing at the version it left in place. When a collection stored this very configuration
     * after the commit but before the entry arrived, that version is attributed to the push. An entry older than the newest
     * version (delivered late) is a ledger entry only: it never makes an old configuration the newest.
     */
    public Uni<Boolean> recordPush(String entryId, PushEvent event, String content) {
        String sha256 = sha256(content);
        return Panache.withTransaction(() -> DeviceConfigPush.<DeviceConfigPush>findById(entryId).flatMap(known -> {
            if (known != null) {
                return Uni.createFrom().item(false);
            }
            return lockState(event.deviceId(), event.deviceName()).flatMap(state -> {
                DeviceConfigPush push = new DeviceConfigPush();
                push.streamEntryId = entryId;
                push.deviceId = event.deviceId();
                push.deviceName = event.deviceName();
                push.mode = event.mode();
                push.comment = event.comment();
                push.pushedBy = event.user();
                push.requestId = event.requestId();
                push.taskId = event.taskId();
                push.committedAt = event.committedAt();
                push.recordedAt = Rows.now();
                state.deviceName = event.deviceName();
                Uni<Void> versioned;
                if (sha256.equals(state.latestSha256)) {
                    push.version = state.latestVersion;
                    versioned = DeviceConfigVersion.<DeviceConfigVersion>findById(key(state.deviceId, state.latestVersion))
                            .invoke(latest -> {
                                boolean seenAfterCommit = !latest.fetchedAt.isBefore(event.committedAt());
                                if (!DeviceConfigVersion.PUSH.equals(latest.source) && seenAfterCommit) {
                                    attribute(latest, event);
                                    push.changed = true;
                                }
                            }).replaceWithVoid();
                } else if (state.latestFetchedAt != null && event.committedAt().isBefore(state.latestFetchedAt)) {
                    versioned = DeviceConfigVersion.<DeviceConfigVersion>find("deviceId = ?1 and sha256 = ?2", Sort.descending("version"),
                            state.deviceId, sha256).firstResult().invoke(same -> push.version = same == null ? null : same.version)
                            .replaceWithVoid();
                } else {
                    versioned = addVersion(state, content, sha256, event.committedAt(), DeviceConfigVersion.PUSH, event.user(),
                            event.requestId(), event.taskId()).invoke(version -> {
                                push.version = version.version;
                                push.changed = true;
                            }).replaceWithVoid();
                }
                return versioned.flatMap(v -> push.persist()).replaceWith(true);
            });
        }));
    }

    private static void attribute(DeviceConfigVersion version, PushEvent event) {
        version.source = DeviceConfigVersion.PUSH;
        version.changedBy = event.user();
        version.requestId = event.requestId();
        version.taskId = event.taskId();
    }

    private Uni<DeviceConfigVersion> addVersion(DeviceFetchState state, String content, String sha256, OffsetDateTime fetchedAt,
            String source, String changedBy, String requestId, String taskId) {
        Uni<String> previous = state.latestVersion == 0 ? Uni.createFrom().item("")
                : DeviceConfigVersion.<DeviceConfigVersion>findById(key(state.deviceId, state.latestVersion))
                        .map(found -> found == null ? "" : found.content);
        return previous.flatMap(before -> {
            LineDiff.Counts counts = LineDiff.counts(before, content);
            DeviceConfigVersion version = new DeviceConfigVersion();
            version.deviceId = state.deviceId;
            version.version = state.latestVersion + 1;
            version.deviceName = state.deviceName;
            version.sha256 = sha256;
            version.content = content;
            version.sizeBytes = content.getBytes(StandardCharsets.UTF_8).length;
            version.lineCount = LineDiff.lines(content).size();
            version.linesAdded = counts.added();
            version.linesRemoved = counts.removed();
            version.source = source;
            version.changedBy = changedBy;
            version.requestId = requestId;
            version.taskId = taskId;
            version.fetchedAt = fetchedAt;
            version.recordedAt = Rows.now();
            state.latestVersion = version.version;
            state.latestSha256 = sha256;
            state.latestFetchedAt = fetchedAt;
            return version.<DeviceConfigVersion>persist();
        });
    }

    /** The device's state row, created when missing, locked until the transaction ends. */
    private Uni<DeviceFetchState> lockState(UUID deviceId, String deviceName) {
        return Panache.getSession().flatMap(session -> session.createMutationQuery("insert into DeviceFetchState (deviceId, deviceName,"
                + " latestVersion, consecutiveFailures) values (:id, :name, 0, 0) on conflict do nothing").setParameter("id", deviceId)
                .setParameter("name", deviceName).executeUpdate())
                .flatMap(inserted -> DeviceFetchState.<DeviceFetchState>findById(deviceId, LockModeType.PESSIMISTIC_WRITE));
    }

    public Uni<Optional<DeviceFetchState>> state(UUID deviceId) {
        return Panache.withSession(() -> DeviceFetchState.<DeviceFetchState>findById(deviceId).map(Optional::ofNullable));
    }

    /** Devices with at least one version or one fetch attempt, by name. */
    public Uni<List<DeviceFetchState>> devices(int page, int size) {
        return Panache.withSession(() -> DeviceFetchState.<DeviceFetchState>findAll(Sort.ascending("deviceName", "deviceId"))
                .page(page, size).list());
    }

    public Uni<Long> deviceCount() {
        return Panache.withSession(() -> DeviceFetchState.count());
    }

    /** Newest first. */
    public Uni<List<VersionSummary>> versions(UUID deviceId, int page, int size) {
        return Panache.withSession(() -> DeviceConfigVersion.find("deviceId", Sort.descending("version"), deviceId)
                .project(VersionSummary.class).page(page, size).list());
    }

    public Uni<Long> versionCount(UUID deviceId) {
        return Panache.withSession(() -> DeviceConfigVersion.count("deviceId", deviceId));
    }

    public Uni<Optional<DeviceConfigVersion>> version(UUID deviceId, int version) {
        return Panache.withSession(() -> DeviceConfigVersion.<DeviceConfigVersion>findById(key(deviceId, version))
                .map(Optional::ofNullable));
    }

    /** The newest version strictly older than {@code version} still kept (retention may have removed the one just before). */
    public Uni<Optional<DeviceConfigVersion>> previous(UUID deviceId, int version) {
        return Panache.withSession(() -> DeviceConfigVersion.<DeviceConfigVersion>find("deviceId = ?1 and version < ?2",
                Sort.descending("version"), deviceId, version).firstResult().map(Optional::ofNullable));
    }

    /** Configuration changes seen since {@code since}, newest first (a device's first version only when a push made it). */
    public Uni<List<VersionSummary>> changes(OffsetDateTime since, int limit) {
        return Panache.withSession(() -> DeviceConfigVersion.find("fetchedAt >= ?1 and (version > 1 or source = ?2)",
                Sort.descending("fetchedAt").and("deviceId").and("version", Sort.Direction.Descending), since, DeviceConfigVersion.PUSH)
                .project(VersionSummary.class).range(0, limit - 1).list());
    }

    /** The ledger of one device, newest first. */
    public Uni<List<DeviceConfigPush>> pushes(UUID deviceId, int page, int size) {
        return Panache.withSession(() -> DeviceConfigPush.<DeviceConfigPush>find("deviceId", Sort.descending("committedAt"), deviceId)
                .page(page, size).list());
    }

    /** Devices whose last fetch failed, most recent attempt first. */
    public Uni<List<DeviceFetchState>> failures(int limit) {
        return Panache.withSession(() -> DeviceFetchState.<DeviceFetchState>find("consecutiveFailures > 0",
                Sort.descending("lastAttemptAt")).range(0, limit - 1).list());
    }

    /** The newest version of each of {@code deviceIds} (for the storage snapshot). */
    public Uni<List<DeviceConfigVersion>> latestOf(List<UUID> deviceIds) {
        return Panache.withSession(() -> DeviceConfigVersion.<DeviceConfigVersion>find("from DeviceConfigVersion v where v.deviceId in ?1"
                + " and v.version = (select s.latestVersion from DeviceFetchState s where s.deviceId = v.deviceId)", deviceIds).list());
    }

    /** Deletes all but the newest {@code keep} versions of every device; answers how many went. */
    public Uni<Integer> prune(int keep) {
        if (keep < 1) {
            throw new IllegalArgumentException("keep at least the newest version");
        }
        return Panache.withTransaction(() -> Panache.getSession().flatMap(session -> session.createMutationQuery("delete from"
                + " DeviceConfigVersion v where v.version <= (select s.latestVersion from DeviceFetchState s where s.deviceId ="
                + " v.deviceId) - :keep").setParameter("keep", keep).executeUpdate()));
    }

    private static DeviceConfigVersion.Key key(UUID deviceId, int version) {
        DeviceConfigVersion.Key key = new DeviceConfigVersion.Key();
        key.deviceId = deviceId;
        key.version = version;
        return key;
    }

    static String sha256(String content) {
        try {
            return BackupJob.sha256(new ByteArrayInputStream(content.getBytes(StandardCharsets.UTF_8)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
