package io.junoscommander.task.events;

import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/** A task's event sequence as PostgreSQL holds it: what an event stream catches up from (see {@link TaskEventStream}). */
@ApplicationScoped
public class TaskEventLog {

    private final Pool pool;

    TaskEventLog(Pool pool) {
        this.pool = pool;
    }

    /** A task's state, device counts and last event number (see {@link TaskEventStream}), read in one statement so they agree. */
    public record EventState(String state, long lastEvent, Map<String, Integer> counts) {

        public boolean isFinal() {
            return List.of("SUCCEEDED", "FAILED", "PARTIAL", "CANCELLED").contains(state);
        }
    }

    public Uni<Optional<EventState>> eventState(UUID taskId) {
        return pool.preparedQuery("SELECT t.state, t.event_seq, d.state, count(d.state) FROM task.task t LEFT JOIN task.task_device d"
                + " ON d.task_id = t.id WHERE t.id = $1 GROUP BY t.state, t.event_seq, d.state").execute(Tuple.of(taskId)).map(rows -> {
                    if (rows.size() == 0) {
                        return Optional.empty();
                    }
                    Map<String, Integer> counts = new java.util.LinkedHashMap<>();
                    for (String state : List.of("PENDING", "RUNNING", "SUCCEEDED", "FAILED", "CANCELLED")) {
                        counts.put(state, 0);
                    }
                    String state = null;
                    long lastEvent = 0;
                    for (Row row : rows) {
                        state = row.getString(0);
                        lastEvent = row.getLong(1);
                        if (row.getString(2) != null) {
                            counts.put(row.getString(2), row.getInteger(3));
                        }
                    }
                    return Optional.of(new EventState(state, lastEvent, counts));
                });
    }

    /** The {@code device} events numbered in {@code (after, upTo]}, in order; they carry no counts (a progress event follows). */
    public Uni<List<JsonObject>> deviceEvents(UUID taskId, long after, long upTo) {
        return pool.preparedQuery("SELECT event_seq, device_id, device_name, state, error_kind FROM task.task_device"
                + " WHERE task_id = $1 AND event_seq > $2 AND event_seq <= $3 ORDER BY event_seq").execute(Tuple.of(taskId, after, upTo))
                .map(rows -> {
                    List<JsonObject> events = new ArrayList<>();
                    for (Row row : rows) {
                        events.add(new JsonObject().put("type", "device").put("taskId", taskId.toString())
                                .put("deviceId", row.getUUID(1).toString()).put("deviceName", row.getString(2))
                                .put("state", row.getString(3)).put("errorKind", row.getString(4)).put("seq", row.getLong(0)));
                    }
                    return events;
                });
    }
}
