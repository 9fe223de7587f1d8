package io.junoscommander.device.hostkey;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.OffsetDateTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/** SSH host keys per device: learned on first use or pinned by an admin. */
@ApplicationScoped
public class HostKeyRepository {

    /** A host key on record. */
    public record HostKey(UUID deviceId, String algorithm, String fingerprint, String publicKey, boolean pinned, OffsetDateTime firstSeenAt,
            OffsetDateTime lastSeenAt) {
    }

    private final Pool pool;

    HostKeyRepository(Pool pool) {
        this.pool = pool;
    }

    public Uni<Map<UUID, HostKey>> forDevices(List<UUID> deviceIds) {
        return pool.preparedQuery("SELECT * FROM device.device_host_key WHERE device_id = ANY($1::uuid[])")
                .execute(Tuple.of(deviceIds.toArray(UUID[]::new))).map(rows -> {
                    Map<UUID, HostKey> keys = new HashMap<>();
                    rows.forEach(row -> keys.put(row.getUUID("device_id"), map(row)));
                    return keys;
                });
    }

    public Uni<Optional<HostKey>> find(UUID deviceId) {
        return forDevices(List.of(deviceId)).map(keys -> Optional.ofNullable(keys.get(deviceId)));
    }

    /** A key a device presented on first use. */
    public record Learned(UUID deviceId, String algorithm, String fingerprint, String publicKey) {
    }

    /**
     * Records keys seen on first use, in one statement however many (at most one per device); a key already on record is never
     * replaced this way, only its last sighting is updated when it is the same key.
     */
    public Uni<Void> learn(List<Learned> keys) {
        return pool.preparedQuery("INSERT INTO device.device_host_key (device_id, algorithm, fingerprint, public_key, pinned)"
                + " SELECT device_id, algorithm, fingerprint, public_key, false"
                + " FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[]) AS learned(device_id, algorithm, fingerprint, public_key)"
                + " ON CONFLICT (device_id) DO UPDATE SET last_seen_at = now() WHERE device_host_key.fingerprint = EXCLUDED.fingerprint")
                .execute(Tuple.of(keys.stream().map(Learned::deviceId).toArray(UUID[]::new),
                        keys.stream().map(Learned::algorithm).toArray(String[]::new),
                        keys.stream().map(Learned::fingerprint).toArray(String[]::new),
                        keys.stream().map(Learned::publicKey).toArray(String[]::new)))
                .replaceWithVoid();
    }

    public Uni<HostKey> pin(UUID deviceId, String algorithm, String fingerprint, String publicKey) {
        return pool.preparedQuery("INSERT INTO device.device_host_key (device_id, algorithm, fingerprint, public_key, pinned)"
                + " VALUES ($1, $2, $3, $4, true) ON CONFLICT (device_id) DO UPDATE SET algorithm = EXCLUDED.algorithm,"
                + " fingerprint = EXCLUDED.fingerprint, public_key = EXCLUDED.public_key, pinned = true, first_seen_at = now(),"
                + " last_seen_at = now() RETURNING *").execute(Tuple.of(deviceId, algorithm, fingerprint, publicKey))
                .map(rows -> map(rows.iterator().next()));
    }

    public Uni<Boolean> forget(UUID deviceId) {
        return pool.preparedQuery("DELETE FROM device.device_host_key WHERE device_id = $1").execute(Tuple.of(deviceId))
                .map(rows -> rows.rowCount() == 1);
    }

    private static HostKey map(Row row) {
        return new HostKey(row.getUUID("device_id"), row.getString("algorithm"), row.getString("fingerprint"),
                row.getString("public_key"), row.getBoolean("pinned"), row.getOffsetDateTime("first_seen_at"),
                row.getOffsetDateTime("last_seen_at"));
    }
}
