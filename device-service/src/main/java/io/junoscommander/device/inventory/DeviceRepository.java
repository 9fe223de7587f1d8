package io.junoscommander.device.inventory;

import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/** SQL for {@code device.device}, through PgBouncer; tags are a PostgreSQL array, attributes JSONB. */
@ApplicationScoped
public class DeviceRepository {

    static final String COLUMNS = "id, name, host, port, platform, site, tags, attributes, credential_id, enabled, created_at, updated_at";
    private static final String FILTER = " WHERE ($1::text[] IS NULL OR tags @> $1::text[]) AND ($2::text IS NULL OR platform = $2)"
            + " AND ($3::text IS NULL OR site = $3) AND ($4::text IS NULL OR name LIKE $4 ESCAPE '\\')"
            + " AND ($5::boolean IS NULL OR enabled = $5)";

    private final Pool pool;

    DeviceRepository(Pool pool) {
        this.pool = pool;
    }

    public Uni<DevicePage> page(DeviceFilter filter, int page, int size) {
        Tuple params = filterParams(filter);
        Uni<Long> total = pool.preparedQuery("SELECT count(*) FROM device.device" + FILTER).execute(params)
                .map(rows -> rows.iterator().next().getLong(0));
        // name is unique: ordering by it gives stable pages
        Uni<List<Device>> items = pool.preparedQuery("SELECT " + COLUMNS + " FROM device.device" + FILTER
                + " ORDER BY name LIMIT $6 OFFSET $7").execute(filterParams(filter).addInteger(size).addLong((long) page * size))
                .map(DeviceRepository::all);
        return Uni.combine().all().unis(items, total).asTuple().map(t -> new DevicePage(t.getItem1(), t.getItem2(), page, size));
    }

    /** Every device matching the filter (for fan-out target resolution), ordered by name. */
    public Uni<List<Device>> all(DeviceFilter filter) {
        return pool.preparedQuery("SELECT " + COLUMNS + " FROM device.device" + FILTER + " ORDER BY name").execute(filterParams(filter))
                .map(DeviceRepository::all);
    }

    public Uni<List<Device>> findAll(List<UUID> ids) {
        return pool.preparedQuery("SELECT " + COLUMNS + " FROM device.device WHERE id = ANY($1::uuid[])")
                .execute(Tuple.of(ids.toArray(UUID[]::new))).map(DeviceRepository::all);
    }

    public Uni<Optional<Device>> find(UUID id) {
        return pool.preparedQuery("SELECT " + COLUMNS + " FROM device.device WHERE id = $1").execute(Tuple.of(id))
                .map(rows -> all(rows).stream().findFirst());
    }

    public Uni<Device> insert(SqlClient client, Device d) {
        return client.preparedQuery("INSERT INTO device.device (id, name, host, port, platform, site, tags, attributes, credential_id,"
                + " enabled) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING " + COLUMNS).execute(values(d))
                .map(rows -> all(rows).get(0));
    }

    /** One batch in the caller's transaction; with {@code updateExisting} a device of the same name is overwritten. */
    public Uni<Integer> insertBatch(SqlClient client, List<Device> devices, boolean updateExisting) {
        if (devices.isEmpty()) {
            return Uni.createFrom().item(0);
        }
        String onConflict = updateExisting ? " ON CONFLICT (name) DO UPDATE SET host = EXCLUDED.host, port = EXCLUDED.port,"
                + " platform = EXCLUDED.platform, site = EXCLUDED.site, tags = EXCLUDED.tags, attributes = EXCLUDED.attributes,"
                + " credential_id = EXCLUDED.credential_id, enabled = EXCLUDED.enabled, updated_at = now()" : "";
        return client.preparedQuery("INSERT INTO device.device (id, name, host, port, platform, site, tags, attributes, credential_id,"
                + " enabled) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)" + onConflict)
                .executeBatch(devices.stream().map(DeviceRepository::values).toList()).map(rows -> {
                    int count = 0;
                    for (RowSet<Row> batch = rows; batch != null; batch = batch.next()) {
                        count += batch.rowCount();
                    }
                    return count;
                });
    }

    public Uni<Optional<Device>> update(Device d) {
        return pool.preparedQuery("UPDATE device.device SET name = $2, host = $3, port = $4, platform = $5, site = $6, tags = $7,"
                + " attributes = $8, credential_id = $9, enabled = $10, updated_at = now() WHERE id = $1 RETURNING " + COLUMNS)
                .execute(values(d)).map(rows -> all(rows).stream().findFirst());
    }

    public Uni<Boolean> delete(UUID id) {
        return pool.preparedQuery("DELETE FROM device.device WHERE id = $1").execute(Tuple.of(id)).map(rows -> rows.rowCount() == 1);
    }

    /** Names among {@code names} that exist already. */
    public Uni<List<String>> existingNames(SqlClient client, List<String> names) {
        return client.preparedQuery("SELECT name FROM device.device WHERE name = ANY($1::text[])").execute(Tuple.of(names.toArray(
                String[]::new))).map(rows -> {
                    List<String> found = new ArrayList<>();
                    rows.forEach(row -> found.add(row.getString(0)));
                    return found;
                });
    }

    /** Credential ids by name and the ids that exist, for validating references. */
    public Uni<Map<String, UUID>> credentialIds(SqlClient client) {
        return client.query("SELECT id, name FROM device.credential").execute().map(rows -> {
            Map<String, UUID> ids = new java.util.HashMap<>();
            rows.forEach(row -> ids.put(row.getString("name"), row.getUUID("id")));
            return ids;
        });
    }

    private static Tuple values(Device d) {
        return Tuple.tuple(Arrays.asList(d.id(), d.name(), d.host(), d.port(), d.platform(), d.site(), d.tags().toArray(String[]::new),
                new JsonObject(d.attributes()), d.credentialId(), d.enabled()));
    }

    private static Tuple filterParams(DeviceFilter filter) {
        String prefix = filter.namePrefix() == null || filter.namePrefix().isEmpty() ? null
                : filter.namePrefix().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%";
        String[] tags = filter.tags() == null || filter.tags().isEmpty() ? null : filter.tags().toArray(String[]::new);
        return Tuple.tuple(Arrays.asList(tags, filter.platform(), filter.site(), prefix, filter.enabled()));
    }

    static List<Device> all(RowSet<Row> rows) {
        List<Device> found = new ArrayList<>();
        for (Row row : rows) {
            JsonObject attributes = row.getJsonObject("attributes");
            found.add(new Device(row.getUUID("id"), row.getString("name"), row.getString("host"), row.getInteger("port"),
                    row.getString("platform"), row.getString("site"), List.of(row.getArrayOfStrings("tags")),
                    attributes == null ? Map.of() : attributes.getMap(), row.getUUID("credential_id"), row.getBoolean("enabled"),
                    row.getOffsetDateTime("created_at"), row.getOffsetDateTime("updated_at")));
        }
        return found;
    }
}
