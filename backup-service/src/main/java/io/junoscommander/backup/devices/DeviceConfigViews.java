package io.junoscommander.backup.devices;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;

/** What the device history API answers. */
final class DeviceConfigViews {

    private DeviceConfigViews() {
    }

    /** A device with history, its newest version and how its last fetch went. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record DeviceView(UUID deviceId, String deviceName, Integer latestVersion, String latestSha256, OffsetDateTime latestFetchedAt,
            OffsetDateTime lastAttemptAt, OffsetDateTime lastSuccessAt, int consecutiveFailures, String errorKind, String errorMessage) {

        static DeviceView of(DeviceFetchState state) {
            return new DeviceView(state.deviceId, state.deviceName, state.latestVersion == 0 ? null : state.latestVersion,
                    state.latestSha256, state.latestFetchedAt, state.lastAttemptAt, state.lastSuccessAt, state.consecutiveFailures,
                    state.errorKind, state.errorMessage);
        }
    }

    record DevicePage(List<DeviceView> items, long total, int page, int size) {
    }

    record VersionPage(UUID deviceId, String deviceName, List<DeviceConfigHistory.VersionSummary> items, long total, int page,
            int size) {
    }

    /** One version with its content. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record VersionView(UUID deviceId, String deviceName, int version, String sha256, String source, String changedBy, String requestId,
            String taskId, OffsetDateTime fetchedAt, OffsetDateTime recordedAt, int sizeBytes, int lineCount, int linesAdded,
            int linesRemoved, String content) {

        static VersionView of(DeviceConfigVersion v) {
            return new VersionView(v.deviceId, v.deviceName, v.version, v.sha256, v.source, v.changedBy, v.requestId, v.taskId,
                    v.fetchedAt, v.recordedAt, v.sizeBytes, v.lineCount, v.linesAdded, v.linesRemoved, v.content);
        }
    }

    /** A unified diff between two versions; {@code from} is null when {@code to} is the oldest version kept. */
    record DiffView(UUID deviceId, String deviceName, Integer from, int to, int linesAdded, int linesRemoved, String diff) {
    }

    /** One entry of the push ledger. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record PushView(String entryId, UUID deviceId, String deviceName, Integer version, boolean changed, String mode, String comment,
            String pushedBy, String requestId, String taskId, OffsetDateTime committedAt, OffsetDateTime recordedAt) {

        static PushView of(DeviceConfigPush p) {
            return new PushView(p.streamEntryId, p.deviceId, p.deviceName, p.version, p.changed, p.mode, p.comment, p.pushedBy,
                    p.requestId, p.taskId, p.committedAt, p.recordedAt);
        }
    }
}
