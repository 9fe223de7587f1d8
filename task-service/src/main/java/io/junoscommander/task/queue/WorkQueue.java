package io.junoscommander.task.queue;

import io.junoscommander.task.device.DeviceDtos;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonArray;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;

/**
 * The durable work queue in PostgreSQL. Claims of one task queue behind its claim lock, so the task's concurrency holds
 * across replicas, and take device rows with {@code FOR UPDATE SKIP LOCKED}; a row whose lease ran out is claimed again
 * with the next attempt number, and only the current attempt may write the result. Result writes hold the task row (the
 * event sequence), so a claim never waits for a write nor a write for a claim.
 */
@ApplicationScoped
public class WorkQueue {

    private final Pool pool;
    private final TaskConfig config;

    WorkQueue(Pool pool, TaskConfig config) {
        this.pool = pool;
        this.config = config;
    }

    /** Tasks that may have claimable devices, oldest first. */
    public Uni<List<UUID>> activeTasks() {
        return pool.query("SELECT id FROM task.task WHERE state IN ('PENDING', 'RUNNING') AND NOT cancel_requested ORDER BY created_at")
                .execute().map(rows -> {
                    List<UUID> ids = new ArrayList<>();
                    rows.forEach(row -> ids.add(row.getUUID(0)));
                    return ids;
                });
    }

    /**
     * Claims up to {@code room} devices of the task, within its concurrency across all replicas. Two statements: the first
     * takes the task's claim lock (a transaction-scoped advisory lock, so claims of one task queue behind each other, which
     * keeps the concurrency, but never behind a replica writing results, which holds the task row) and reads the task; the
     * second, begun after the lock and so seeing what a claim committed while this one waited (one statement reads one
     * snapshot), counts the running devices, takes rows with {@code SKIP LOCKED}, leases them and marks the task running.
     * A result written meanwhile only frees room this claim does not see yet: the next claim takes it.
     */
    public Uni<List<ClaimedDevice>> claim(UUID taskId, String owner, int room) {
        double lease = config.lease().toMillis();
        return pool.withTransaction(conn -> conn.preparedQuery("SELECT concurrency, config_changing, commands, per_device_timeout_seconds,"
                + " created_by FROM pg_advisory_xact_lock(hashtextextended($1::uuid::text, 0)), task.task WHERE id = $1"
                + " AND state IN ('PENDING', 'RUNNING') AND NOT cancel_requested")
                .execute(Tuple.of(taskId)).flatMap(rows -> rows.iterator().hasNext() ? takeRows(conn, taskId, owner, room, lease,
                        rows.iterator().next()) : Uni.createFrom().item(List.<ClaimedDevice>of())));
    }

    private Uni<List<ClaimedDevice>> takeRows(SqlConnection conn, UUID taskId, String owner, int room, double lease, Row task) {
        List<String> commands = Arrays.asList(task.getArrayOfStrings("commands"));
        int timeout = task.getInteger("per_device_timeout_seconds");
        String submittedBy = task.getString("created_by");
        boolean configChanging = task.getBoolean("config_changing");
        return conn.preparedQuery("WITH running AS (SELECT count(*) AS n FROM task.task_device WHERE task_id = $1 AND state = 'RUNNING'"
                + " AND lease_expires_at > now()),"
                + " picked AS (SELECT task_id, device_id FROM task.task_device WHERE task_id = $1"
                + " AND ((state = 'PENDING' AND (lease_expires_at IS NULL OR lease_expires_at < now()))"
                + " OR (state = 'RUNNING' AND lease_expires_at < now())) ORDER BY position"
                + " LIMIT (SELECT greatest(0, least($4, $5 - n)) FROM running) FOR UPDATE SKIP LOCKED),"
                + " claimed AS (UPDATE task.task_device d SET state = 'RUNNING', attempts = attempts + 1, lease_owner = $2,"
                + " lease_expires_at = now() + ($3::float8 * interval '1 ms'), started_at = coalesce(started_at, clock_timestamp())"
                + " FROM picked p WHERE d.task_id = p.task_id AND d.device_id = p.device_id RETURNING d.device_id, d.device_name,"
                + " d.attempts),"
                + " started AS (UPDATE task.task SET state = 'RUNNING', started_at = coalesce(started_at, now())"
                + " WHERE id = $1 AND state = 'PENDING' AND EXISTS (SELECT 1 FROM claimed))"
                + " SELECT device_id, device_name, attempts FROM claimed")
                .execute(Tuple.of(taskId, owner, lease, room, task.getInteger("concurrency"))).flatMap(claimed -> {
                    List<ClaimedDevice> devices = new ArrayList<>();
                    claimed.forEach(row -> devices.add(new ClaimedDevice(taskId, row.getUUID("device_id"), row.getString("device_name"),
                            row.getInteger("attempts"), commands, timeout, submittedBy, configChanging)));
                    return configChanging ? lockDevices(conn, taskId, devices, lease) : Uni.createFrom().item(devices);
                });
    }

    /** A config-changing task holds each device it drives; devices another such task holds go back to wait a little. */
    private Uni<List<ClaimedDevice>> lockDevices(SqlConnection conn, UUID taskId, List<ClaimedDevice> devices, double lease) {
        if (devices.isEmpty()) {
            return Uni.createFrom().item(devices);
        }
        UUID[] ids = devices.stream().map(ClaimedDevice::deviceId).toArray(UUID[]::new);
        return conn.preparedQuery("INSERT INTO task.device_lock (device_id, task_id, lease_expires_at)"
                + " SELECT unnest($1::uuid[]), $2, now() + ($3::float8 * interval '1 ms')"
                + " ON CONFLICT (device_id) DO UPDATE SET task_id = EXCLUDED.task_id,"
                + " lease_expires_at = EXCLUDED.lease_expires_at WHERE device_lock.lease_expires_at < now()"
                + " OR device_lock.task_id = EXCLUDED.task_id RETURNING device_id").execute(Tuple.of(ids, taskId, lease)).flatMap(got -> {
                    List<UUID> held = new ArrayList<>();
                    got.forEach(row -> held.add(row.getUUID(0)));
                    List<ClaimedDevice> kept = devices.stream().filter(d -> held.contains(d.deviceId())).toList();
                    UUID[] busy = devices.stream().map(ClaimedDevice::deviceId).filter(id -> !held.contains(id)).toArray(UUID[]::new);
                    if (busy.length == 0) {
                        return Uni.createFrom().item(kept);
                    }
                    // the device did not start: a first attempt forgets the start time it was just given
                    return conn.preparedQuery("UPDATE task.task_device SET state = 'PENDING', attempts = attempts - 1, lease_owner = NULL,"
                            + " started_at = CASE WHEN attempts = 1 THEN NULL ELSE started_at END,"
                            + " lease_expires_at = now() + interval '2 seconds' WHERE task_id = $1 AND device_id = ANY($2::uuid[])")
                            .execute(Tuple.of(taskId, busy)).replaceWith(kept);
                });
    }

    /** Extends the leases of the devices this replica is working on. */
    public Uni<Integer> renew(String owner, List<UUID[]> inFlight) {
        if (inFlight.isEmpty()) {
            return Uni.createFrom().item(0);
        }
        double lease = config.lease().toMillis();
        UUID[] tasks = inFlight.stream().map(pair -> pair[0]).toArray(UUID[]::new);
        UUID[] devices = inFlight.stream().map(pair -> pair[1]).toArray(UUID[]::new);
        return pool.withTransaction(conn -> conn.preparedQuery("UPDATE task.task_device"
                + " SET lease_expires_at = now() + ($2::float8 * interval '1 ms')"
                + " WHERE lease_owner = $1 AND state = 'RUNNING'"
                + " AND (task_id, device_id) IN (SELECT * FROM unnest($3::uuid[], $4::uuid[]))")
                .execute(Tuple.of(owner, lease, tasks, devices)).flatMap(renewed -> conn.preparedQuery("UPDATE task.device_lock"
                        + " SET lease_expires_at = now() + ($1::float8 * interval '1 ms') WHERE device_id = ANY($2::uuid[])")
                        .execute(Tuple.of(lease, devices))
                        .map(ignored -> renewed.rowCount())));
    }

    /** A device's result waiting to be written. */
    public record Finished(ClaimedDevice device, DeviceDtos.RunResult result) {

        String state() {
            return result.ok() ? "SUCCEEDED" : "FAILED";
        }
    }

    /** What one batch changed in one task: its new final state if it ended, and the counts after the batch. */
    public record TaskProgress(Optional<String> finalState, Map<String, Integer> counts) {
    }

    /**
     * The outcome of writing a batch: which devices' results counted, each touched task's progress, and each counted result's
     * number in its task's event sequence (by {@link #key}).
     */
    public record Recorded(List<Finished> counted, Map<UUID, TaskProgress> tasks, Map<String, Long> eventIds) {
    }

    /** {@code taskId/deviceId}, the key of {@link Recorded#eventIds()}. */
    public static String key(UUID taskId, UUID deviceId) {
        return taskId + "/" + deviceId;
    }

    /**
     * Writes many devices' results in one transaction, each only if its attempt still holds the device (else another replica
     * took it over after our lease ran out, and that attempt's result is the one). The first statement locks the batch's
     * task rows in id order (two replicas never lock them crosswise), writes the results with their numbers in their task's
     * event sequence and moves each sequence on (a trigger moves the finished counts on the same rows). Holding the task rows
     * until the commit serialises replicas recording results of the same task, so numbers are committed in the order they
     * are given, and the counts read next are this task's truth: then the failure threshold of a task with a failure, the
     * counts of every task touched in one statement and, when nothing is left to run, the end.
     */
    public Uni<Recorded> recordAll(List<Finished> batch, String owner) {
        if (batch.isEmpty()) {
            return Uni.createFrom().item(new Recorded(List.of(), Map.of(), Map.of()));
        }
        int size = batch.size();
        UUID[] tasks = new UUID[size];
        UUID[] devices = new UUID[size];
        Integer[] attempts = new Integer[size];
        String[] states = new String[size];
        String[] errorKinds = new String[size];
        String[] errors = new String[size];
        String[] results = new String[size];
        Long[] durations = new Long[size];
        for (int i = 0; i < size; i++) {
            Finished finished = batch.get(i);
            DeviceDtos.RunResult result = finished.result();
            tasks[i] = finished.device().taskId();
            devices[i] = finished.device().deviceId();
            attempts[i] = finished.device().attempt();
            states[i] = finished.state();
            errorKinds[i] = result.errorKind();
            errors[i] = result.error();
            results[i] = new JsonArray(result.results() == null ? List.of() : new ArrayList<>(result.results())).encode();
            durations[i] = result.durationMs();
        }
        UUID[] taskIds = batch.stream().map(f -> f.device().taskId()).distinct().toArray(UUID[]::new);
        return pool.withTransaction(conn -> conn.preparedQuery("WITH locked AS (SELECT id, event_seq FROM task.task"
                + " WHERE id = ANY($10::uuid[]) ORDER BY id FOR UPDATE),"
                + " u AS (SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::int[], $4::text[], $5::text[], $6::text[], $7::text[],"
                + " $8::bigint[]) WITH ORDINALITY AS u(task_id, device_id, attempt, state, error_kind, error, results, duration_ms, ord)),"
                + " eligible AS (SELECT u.*, l.event_seq + row_number() OVER (PARTITION BY u.task_id ORDER BY u.ord) AS seq"
                + " FROM u JOIN locked l ON l.id = u.task_id JOIN task.task_device d ON d.task_id = u.task_id"
                + " AND d.device_id = u.device_id WHERE d.attempts = u.attempt AND d.lease_owner = $9 AND d.state = 'RUNNING'),"
                + " written AS (UPDATE task.task_device d SET state = e.state, error_kind = e.error_kind, error = e.error,"
                + " results = e.results::jsonb, finished_at = clock_timestamp(), duration_ms = e.duration_ms, lease_owner = NULL,"
                + " lease_expires_at = NULL, event_seq = e.seq FROM eligible e WHERE d.task_id = e.task_id AND d.device_id = e.device_id"
                + " AND d.attempts = e.attempt AND d.lease_owner = $9 AND d.state = 'RUNNING'"
                + " RETURNING d.task_id, d.device_id, d.event_seq),"
                + " numbered AS (UPDATE task.task t SET event_seq = w.last FROM (SELECT task_id, max(event_seq) AS last FROM written"
                + " GROUP BY task_id) w WHERE t.id = w.task_id)"
                + " SELECT task_id, device_id, event_seq FROM written")
                .execute(Tuple.tuple(Arrays.asList(tasks, devices, attempts, states, errorKinds, errors, results, durations, owner,
                        taskIds)))
                .flatMap(updated -> {
                    Map<String, Long> eventIds = new LinkedHashMap<>();
                    updated.forEach(row -> eventIds.put(key(row.getUUID(0), row.getUUID(1)), row.getLong(2)));
                    List<Finished> counted = batch.stream()
                            .filter(f -> eventIds.containsKey(key(f.device().taskId(), f.device().deviceId()))).toList();
                    if (counted.isEmpty()) {
                        return Uni.createFrom().item(new Recorded(counted, Map.of(), Map.of()));
                    }
                    return unlockDevices(conn, counted).flatMap(ignored -> progress(conn, counted))
                            .map(progress -> new Recorded(counted, progress, eventIds));
                }));
    }

    /** The device locks of config-changing tasks whose results were written. */
    private Uni<Void> unlockDevices(SqlConnection conn, List<Finished> counted) {
        List<ClaimedDevice> held = counted.stream().map(Finished::device).filter(ClaimedDevice::configChanging).toList();
        if (held.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return conn.preparedQuery("DELETE FROM task.device_lock WHERE (device_id, task_id) IN (SELECT * FROM unnest($1::uuid[],"
                + " $2::uuid[]))").execute(Tuple.of(held.stream().map(ClaimedDevice::deviceId).toArray(UUID[]::new),
                        held.stream().map(ClaimedDevice::taskId).toArray(UUID[]::new))).replaceWithVoid();
    }

    /**
     * Per task of the batch (its row locked by this transaction): the failure threshold when a device failed, then the
     * counts, read in one statement from the finished counts the trigger keeps on the task rows (no count over the task's
     * devices while its row is held), and the end of each task with nothing left to run.
     */
    private Uni<Map<UUID, TaskProgress>> progress(SqlConnection conn, List<Finished> counted) {
        Map<UUID, Boolean> anyFailed = new TreeMap<>();
        counted.forEach(f -> anyFailed.merge(f.device().taskId(), !f.result().ok(), Boolean::logicalOr));
        Uni<Void> thresholds = Uni.createFrom().voidItem();
        for (Map.Entry<UUID, Boolean> task : anyFailed.entrySet()) {
            if (task.getValue()) {
                thresholds = thresholds.flatMap(ignored -> applyThreshold(conn, task.getKey()));
            }
        }
        UUID[] taskIds = anyFailed.keySet().toArray(UUID[]::new);
        return thresholds.flatMap(ignored -> taskCounts(conn, taskIds)).flatMap(byTask -> {
            Map<UUID, TaskProgress> progress = new LinkedHashMap<>();
            Uni<Void> chain = Uni.createFrom().voidItem();
            for (Map.Entry<UUID, Map<String, Integer>> task : byTask.entrySet()) {
                Map<String, Integer> counts = task.getValue();
                if (counts.get("PENDING") + counts.get("RUNNING") > 0) {
                    progress.put(task.getKey(), new TaskProgress(Optional.empty(), counts));
                } else {
                    chain = chain.flatMap(none -> end(conn, task.getKey())
                            .invoke(state -> progress.put(task.getKey(), new TaskProgress(state, counts))).replaceWithVoid());
                }
            }
            return chain.map(none -> progress);
        });
    }

    /**
     * The counts of these tasks: finished ones from the task rows, running ones counted among the open devices (the partial
     * index), pending ones what is left.
     */
    private static Uni<Map<UUID, Map<String, Integer>>> taskCounts(SqlConnection conn, UUID[] taskIds) {
        return conn.preparedQuery("SELECT t.id, t.device_count, t.succeeded_count, t.failed_count, t.cancelled_count,"
                + " (SELECT count(*) FROM task.task_device d WHERE d.task_id = t.id AND d.state = 'RUNNING')::int AS running"
                + " FROM task.task t WHERE t.id = ANY($1::uuid[])").execute(Tuple.of(taskIds)).map(rows -> {
                    Map<UUID, Map<String, Integer>> byTask = new TreeMap<>();
                    for (Row row : rows) {
                        int succeeded = row.getInteger("succeeded_count");
                        int failed = row.getInteger("failed_count");
                        int cancelled = row.getInteger("cancelled_count");
                        int open = Math.max(0, row.getInteger("device_count") - succeeded - failed - cancelled);
                        int running = Math.min(open, row.getInteger("running"));
                        Map<String, Integer> counts = new LinkedHashMap<>();
                        counts.put("PENDING", open - running);
                        counts.put("RUNNING", running);
                        counts.put("SUCCEEDED", succeeded);
                        counts.put("FAILED", failed);
                        counts.put("CANCELLED", cancelled);
                        byTask.put(row.getUUID("id"), counts);
                    }
                    return byTask;
                });
    }

    /** Puts a claimed device back, to be offered again after {@code retryDelay} (the device service was unreachable). */
    public Uni<Void> release(ClaimedDevice device, String owner) {
        double delay = config.retryDelay().toMillis();
        return pool.withTransaction(conn -> conn.preparedQuery("UPDATE task.task_device SET state = 'PENDING', lease_owner = NULL,"
                + " lease_expires_at = now() + ($5::float8 * interval '1 ms')"
                + " WHERE task_id = $1 AND device_id = $2 AND attempts = $3 AND lease_owner = $4"
                + " AND state = 'RUNNING'").execute(Tuple.of(device.taskId(), device.deviceId(), device.attempt(), owner, delay))
                .flatMap(ignored -> conn.preparedQuery("DELETE FROM task.device_lock WHERE device_id = $1 AND task_id = $2")
                        .execute(Tuple.of(device.deviceId(), device.taskId()))).replaceWithVoid());
    }

    /** On shutdown: devices claimed by this replica that never started go back to the queue at once. */
    public Uni<Integer> releaseAll(String owner) {
        return pool.withTransaction(conn -> conn.preparedQuery("UPDATE task.task_device SET state = 'PENDING', lease_owner = NULL,"
                + " lease_expires_at = NULL WHERE lease_owner = $1 AND state = 'RUNNING'").execute(Tuple.of(owner))
                .map(rows -> rows.rowCount()));
    }

    /** Ends the task's pending devices once its failed devices pass its threshold (the counts on the row are current). */
    private Uni<Void> applyThreshold(SqlConnection conn, UUID taskId) {
        return conn.preparedQuery("UPDATE task.task SET threshold_exceeded = true WHERE id = $1 AND failure_threshold_percent IS NOT NULL"
                + " AND NOT threshold_exceeded AND failed_count * 100 > failure_threshold_percent * device_count RETURNING id")
                .execute(Tuple.of(taskId)).flatMap(exceeded -> {
                    if (exceeded.rowCount() == 0) {
                        return Uni.createFrom().voidItem();
                    }
                    return conn.preparedQuery("UPDATE task.task_device SET state = 'CANCELLED', finished_at = now(), error ="
                            + " 'failure threshold exceeded' WHERE task_id = $1 AND state = 'PENDING'").execute(Tuple.of(taskId))
                            .replaceWithVoid();
                });
    }

    /** Cancels what has not started; running devices finish. */
    public Uni<TaskProgress> cancel(UUID taskId) {
        return pool.withTransaction(conn -> conn.preparedQuery("UPDATE task.task SET cancel_requested = true WHERE id = $1"
                + " AND state IN ('PENDING', 'RUNNING')").execute(Tuple.of(taskId)).flatMap(updated -> conn.preparedQuery(
                        "UPDATE task.task_device SET state = 'CANCELLED', finished_at = now(), error = 'cancelled'"
                                + " WHERE task_id = $1 AND state = 'PENDING'").execute(Tuple.of(taskId)))
                .flatMap(ignored -> finish(conn, taskId)));
    }

    /**
     * Ends the task when no device is pending or running; exactly one caller sees the final state. The task row is locked
     * first: two transactions recording the last two devices would otherwise each see the other's device still running.
     */
    private Uni<TaskProgress> finish(SqlConnection conn, UUID taskId) {
        return conn.preparedQuery("SELECT 1 FROM task.task WHERE id = $1 FOR UPDATE").execute(Tuple.of(taskId))
                .flatMap(locked -> end(conn, taskId)).flatMap(ended -> counts(conn, taskId).map(counts -> new TaskProgress(ended, counts)));
    }

    /** The task's final state, set by this call; empty when it had ended already or still has devices to run. */
    private Uni<Optional<String>> end(SqlConnection conn, UUID taskId) {
        return conn.preparedQuery("UPDATE task.task t SET finished_at = now(),"
                + " state = CASE WHEN t.cancel_requested THEN 'CANCELLED'"
                + " WHEN t.threshold_exceeded THEN 'FAILED'"
                + " WHEN NOT EXISTS (SELECT 1 FROM task.task_device WHERE task_id = t.id AND state <> 'SUCCEEDED') THEN 'SUCCEEDED'"
                + " WHEN NOT EXISTS (SELECT 1 FROM task.task_device WHERE task_id = t.id AND state = 'SUCCEEDED') THEN 'FAILED'"
                + " ELSE 'PARTIAL' END WHERE t.id = $1 AND t.state IN ('PENDING', 'RUNNING')"
                + " AND NOT EXISTS (SELECT 1 FROM task.task_device WHERE task_id = $1 AND state IN ('PENDING', 'RUNNING'))"
                + " RETURNING t.state").execute(Tuple.of(taskId))
                .map(ended -> ended.iterator().hasNext() ? Optional.of(ended.iterator().next().getString(0)) : Optional.<String>empty());
    }

    static Uni<Map<String, Integer>> counts(io.vertx.mutiny.sqlclient.SqlClient client, UUID taskId) {
        return client.preparedQuery("SELECT state, count(*) FROM task.task_device WHERE task_id = $1 GROUP BY state")
                .execute(Tuple.of(taskId)).map(rows -> {
                    Map<String, Integer> counts = new LinkedHashMap<>();
                    for (String state : List.of("PENDING", "RUNNING", "SUCCEEDED", "FAILED", "CANCELLED")) {
                        counts.put(state, 0);
                    }
                    rows.forEach(row -> counts.put(row.getString(0), row.getInteger(1)));
                    return counts;
                });
    }

    public Uni<Map<String, Integer>> counts(UUID taskId) {
        return counts(pool, taskId);
    }

    /** Devices waiting in all active tasks (the queue depth metric). */
    public Uni<Long> pendingDevices() {
        return pool.query("SELECT count(*) FROM task.task_device WHERE state = 'PENDING'").execute()
                .map(rows -> rows.iterator().next().getLong(0));
    }
}
