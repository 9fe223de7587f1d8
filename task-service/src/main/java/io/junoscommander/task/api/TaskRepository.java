package io.junoscommander.task.api;

import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/** SQL for tasks and their device rows, through PgBouncer. */
@ApplicationScoped
public class TaskRepository {

    private static final String COLUMNS = "id, name, commands, target, concurrency, per_device_timeout_seconds, failure_threshold_percent,"
            + " config_changing, state, device_count, created_by, schedule_id, created_at, started_at, finished_at";

    private final Pool pool;

    TaskRepository(Pool pool) {
        this.pool = pool;
    }

    /** A new task and its frozen device list, in one transaction. */
    public Uni<TaskView> insert(SqlClient conn, TaskView task, List<Map.Entry<UUID, String>> devices) {
        return conn.preparedQuery("INSERT INTO task.task (" + COLUMNS + ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12,"
                + " now(), NULL, NULL) RETURNING " + COLUMNS).execute(Tuple.tuple(Arrays.asList(task.id(), task.name(),
                        task.commands().toArray(String[]::new), new JsonObject(task.target()), task.concurrency(),
                        task.perDeviceTimeoutSeconds(), task.failureThresholdPercent(), task.configChanging(), "PENDING", devices.size(),
                        task.createdBy(), task.scheduleId())))
                .flatMap(rows -> {
                    TaskView stored = map(rows.iterator().next());
                    // one statement for the whole device list (a batch of single-row INSERTs is one statement per device)
                    UUID[] ids = devices.stream().map(Map.Entry::getKey).toArray(UUID[]::new);
                    String[] names = devices.stream().map(Map.Entry::getValue).toArray(String[]::new);
                    return conn.preparedQuery("INSERT INTO task.task_device (task_id, device_id, device_name, position, state)"
                            + " SELECT $1, d.device_id, d.device_name, (d.ord - 1)::int, 'PENDING'"
                            + " FROM unnest($2::uuid[], $3::text[]) WITH ORDINALITY AS d(device_id, device_name, ord)")
                            .execute(Tuple.of(task.id(), ids, names)).replaceWith(stored);
                });
    }

    public Uni<Optional<TaskView>> find(UUID id) {
        return pool.preparedQuery("SELECT " + COLUMNS + " FROM task.task WHERE id = $1").execute(Tuple.of(id))
                .map(rows -> rows.iterator().hasNext() ? Optional.of(map(rows.iterator().next())) : Optional.empty());
    }

    /** Newest first. */
    public Uni<List<TaskView>> list(String state, String createdBy, OffsetDateTime since, OffsetDateTime until, int page, int size) {
        return pool.preparedQuery("SELECT " + COLUMNS + " FROM task.task WHERE ($1::text IS NULL OR state = $1)"
                + " AND ($2::text IS NULL OR created_by = $2) AND ($3::timestamptz IS NULL OR created_at >= $3)"
                + " AND ($4::timestamptz IS NULL OR created_at < $4) ORDER BY created_at DESC, id LIMIT $5 OFFSET $6")
                .execute(Tuple.tuple(Arrays.asList(state, createdBy, since, until, size, (long) page * size))).map(rows -> {
                    List<TaskView> tasks = new ArrayList<>();
                    rows.forEach(row -> tasks.add(map(row)));
                    return tasks;
                });
    }

    public Uni<List<DeviceResultView>> results(UUID taskId, String state, int page, int size) {
        return pool.preparedQuery("SELECT device_id, device_name, state, attempts, error_kind, error, results, started_at, finished_at,"
                + " duration_ms FROM task.task_device WHERE task_id = $1 AND ($2::text IS NULL OR state = $2) ORDER BY position"
                + " LIMIT $3 OFFSET $4").execute(Tuple.tuple(Arrays.asList(taskId, state, size, (long) page * size))).map(rows -> {
                    List<DeviceResultView> results = new ArrayList<>();
                    for (Row row : rows) {
                        Object json = row.getValue("results");
                        List<Object> commands = json instanceof JsonArray array ? array.getList() : null;
                        results.add(new DeviceResultView(row.getUUID("device_id"), row.getString("device_name"), row.getString("state"),
                                row.getInteger("attempts"), row.getString("error_kind"), row.getString("error"), commands,
                                row.getOffsetDateTime("started_at"), row.getOffsetDateTime("finished_at"), row.getLong("duration_ms")));
                    }
                    return results;
                });
    }

    /** Removes tasks that finished before {@code cutoff}, with their results. */
    public Uni<Integer> purgeFinishedBefore(OffsetDateTime cutoff) {
        return pool.preparedQuery("DELETE FROM task.task WHERE finished_at < $1").execute(Tuple.of(cutoff)).map(rows -> rows.rowCount());
    }

    public Uni<Map<String, Long>> countByState() {
        return pool.query("SELECT state, count(*) FROM task.task GROUP BY state").execute().map(rows -> {
            Map<String, Long> counts = new java.util.HashMap<>();
            rows.forEach(row -> counts.put(row.getString(0), row.getLong(1)));
            return counts;
        });
    }

    public Pool pool() {
        return pool;
    }

    static TaskView map(Row row) {
        JsonObject target = row.getJsonObject("target");
        return new TaskView(row.getUUID("id"), row.getString("name"), List.of(row.getArrayOfStrings("commands")),
                target == null ? Map.of() : target.getMap(), row.getInteger("concurrency"), row.getInteger("per_device_timeout_seconds"),
                row.getInteger("failure_threshold_percent"), row.getBoolean("config_changing"), row.getString("state"),
                row.getInteger("device_count"), null, row.getString("created_by"), row.getUUID("schedule_id"),
                row.getOffsetDateTime("created_at"), row.getOffsetDateTime("started_at"), row.getOffsetDateTime("finished_at"));
    }
}
