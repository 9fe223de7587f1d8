package io.junoscommander.task.schedule;

import io.junoscommander.support.persistence.Rows;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.panache.common.Sort;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Schedules and their runs. Creating, reading, replacing and deleting a schedule is plain create/read/update/delete on
 * {@link ScheduleEntity} (Hibernate Reactive Panache, through PgBouncer like all runtime traffic); the fire path stays SQL,
 * where it is the point: due schedules are locked with {@code SKIP LOCKED} so each replica takes others than its peers, and
 * a period's fire is recorded once by its unique key.
 */
@ApplicationScoped
public class ScheduleRepository {

    private static final String COLUMNS = "id, name, cron, timezone, enabled, template, next_fire_at, last_fired_at, created_by,"
            + " created_at, updated_at";

    private final Pool pool;

    ScheduleRepository(Pool pool) {
        this.pool = pool;
    }

    /** One fire of a schedule. */
    public record Run(OffsetDateTime scheduledFor, OffsetDateTime firedAt, String firedBy, UUID taskId, String error) {
    }

    public Uni<ScheduleView> insert(ScheduleView s) {
        return Panache.withTransaction(() -> {
            ScheduleEntity schedule = new ScheduleEntity();
            schedule.id = s.id();
            schedule.apply(s);
            schedule.createdBy = s.createdBy();
            schedule.createdAt = Rows.now();
            schedule.updatedAt = schedule.createdAt;
            return schedule.persist().map(saved -> schedule.view());
        });
    }

    /** The row is locked until the transaction ends, so two concurrent replacements queue. */
    public Uni<Optional<ScheduleView>> update(ScheduleView s) {
        return Panache.withTransaction(() -> ScheduleEntity.<ScheduleEntity>findById(s.id(), LockModeType.PESSIMISTIC_WRITE)
                .map(schedule -> {
                    if (schedule == null) {
                        return Optional.<ScheduleView>empty();
                    }
                    schedule.apply(s);
                    schedule.updatedAt = Rows.now();
                    return Optional.of(schedule.view());
                }));
    }

    public Uni<Boolean> delete(UUID id) {
        return Panache.withTransaction(() -> ScheduleEntity.deleteById(id));
    }

    public Uni<Optional<ScheduleView>> find(UUID id) {
        return Panache.withSession(() -> ScheduleEntity.<ScheduleEntity>findById(id))
                .map(found -> Optional.ofNullable(found).map(ScheduleEntity::view));
    }

    public Uni<List<ScheduleView>> list() {
        return Panache.withSession(() -> ScheduleEntity.<ScheduleEntity>listAll(Sort.by("name")))
                .map(all -> all.stream().map(ScheduleEntity::view).toList());
    }

    public Uni<List<Run>> runs(UUID id, int limit) {
        return pool.preparedQuery("SELECT scheduled_for, fired_at, fired_by, task_id, error FROM task.schedule_run WHERE schedule_id = $1"
                + " ORDER BY scheduled_for DESC LIMIT $2").execute(Tuple.of(id, limit)).map(rows -> {
                    List<Run> runs = new ArrayList<>();
                    rows.forEach(row -> runs.add(new Run(row.getOffsetDateTime("scheduled_for"), row.getOffsetDateTime("fired_at"),
                            row.getString("fired_by"), row.getUUID("task_id"), row.getString("error"))));
                    return runs;
                });
    }

    /** Due schedules, locked so that no other replica sees them until this transaction ends. */
    public Uni<List<ScheduleView>> lockDue(SqlClient conn, int limit) {
        return conn.preparedQuery("SELECT " + COLUMNS + " FROM task.schedule WHERE enabled AND next_fire_at <= now() ORDER BY next_fire_at"
                + " LIMIT $1 FOR UPDATE SKIP LOCKED").execute(Tuple.of(limit)).map(ScheduleRepository::all);
    }

    /** Records the fire of one period (once: the key is schedule and period) and moves the schedule to its next period. */
    public Uni<Boolean> recordFire(SqlClient conn, UUID id, OffsetDateTime period, OffsetDateTime next, String firedBy) {
        return conn.preparedQuery("INSERT INTO task.schedule_run (schedule_id, scheduled_for, fired_by) VALUES ($1, $2, $3)"
                + " ON CONFLICT DO NOTHING").execute(Tuple.of(id, period, firedBy)).flatMap(inserted -> conn.preparedQuery(
                        "UPDATE task.schedule SET next_fire_at = $2, last_fired_at = now() WHERE id = $1").execute(Tuple.of(id, next))
                        .map(ignored -> inserted.rowCount() == 1));
    }

    public Uni<Void> runOutcome(UUID id, OffsetDateTime period, UUID taskId, String error) {
        return pool.preparedQuery("UPDATE task.schedule_run SET task_id = $3, error = $4 WHERE schedule_id = $1 AND scheduled_for = $2")
                .execute(Tuple.tuple(Arrays.asList(id, period, taskId, error))).replaceWithVoid();
    }

    public Pool pool() {
        return pool;
    }

    private static List<ScheduleView> all(io.vertx.mutiny.sqlclient.RowSet<Row> rows) {
        List<ScheduleView> found = new ArrayList<>();
        rows.forEach(row -> found.add(map(row)));
        return found;
    }

    private static ScheduleView map(Row row) {
        JsonObject template = row.getJsonObject("template");
        return new ScheduleView(row.getUUID("id"), row.getString("name"), row.getString("cron"), row.getString("timezone"),
                row.getBoolean("enabled"), template == null ? Map.of() : template.getMap(), row.getOffsetDateTime("next_fire_at"),
                row.getOffsetDateTime("last_fired_at"), row.getString("created_by"), row.getOffsetDateTime("created_at"),
                row.getOffsetDateTime("updated_at"));
    }
}
