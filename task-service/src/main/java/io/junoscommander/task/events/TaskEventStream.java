package io.junoscommander.task.events;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.MultiEmitter;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * One client's event stream of one task. Redis pub/sub brings device events fast but may lose some (a failover); PostgreSQL
 * is the truth. Each recorded device result has a number in its task's event sequence, which is the id of its SSE event: a
 * live event that is not the next number, a resubscription after a failover, a periodic check, a final event, or a
 * reconnect with {@code Last-Event-ID} make the stream read the database, send the device events it missed and then a
 * {@code progress} event with the current counts. The stream ends only after a {@code final} event read from the database,
 * or, when this replica shuts down, after a {@code progress} event with the current state (the client reconnects elsewhere
 * with {@code Last-Event-ID}).
 */
final class TaskEventStream {

    private static final Logger LOG = Logger.getLogger(TaskEventStream.class);

    private final UUID taskId;
    private final TaskEventLog log;
    private final Sse sse;
    private final MultiEmitter<? super OutboundSseEvent> emitter;
    /** The client's {@code Last-Event-ID}: device events after it are sent first. */
    private final boolean resuming;
    // guarded by this
    private long lastSent;
    private boolean started;
    private boolean checking;
    private boolean checkAgain;
    private boolean announce;
    private boolean closing;
    private boolean done;

    TaskEventStream(UUID taskId, Long lastEventId, TaskEventLog log, Sse sse, MultiEmitter<? super OutboundSseEvent> emitter) {
        this.taskId = taskId;
        this.log = log;
        this.sse = sse;
        this.emitter = emitter;
        this.resuming = lastEventId != null;
        this.lastSent = lastEventId == null ? 0 : lastEventId;
    }

    /** The first look at the database: {@code progress} (after the missed device events when resuming), or the end. */
    void start() {
        check(true);
    }

    /** A message from Redis pub/sub. */
    void live(String text) {
        JsonObject event;
        try {
            event = new JsonObject(text);
        } catch (RuntimeException notJson) {
            return;
        }
        synchronized (this) {
            if (done) {
                return;
            }
            String type = event.getString("type", "");
            if ("device".equals(type)) {
                liveDevice(event);
            } else if ("devices".equals(type)) {
                // one batch write's events of this task, in sequence order
                JsonArray batch = event.getJsonArray("events", new JsonArray());
                for (int i = 0; i < batch.size(); i++) {
                    if (batch.getValue(i) instanceof JsonObject device) {
                        liveDevice(device);
                    }
                }
            } else if ("final".equals(type)) {
                check(false);
            } else if (TaskEvents.RESUBSCRIBED.equals(text)) {
                check(true);
            }
        }
    }

    // guarded by this
    private void liveDevice(JsonObject event) {
        Long seq = event.getValue("seq") instanceof Number number ? number.longValue() : null;
        if (started && seq != null && seq == lastSent + 1) {
            lastSent = seq;
            send("device", seq, event);
        } else if (seq == null || seq > lastSent) {
            // one or more events were missed (or came out of order): the database has them
            check(false);
        }
    }

    /** The periodic check: catches up what pub/sub lost and sees the end even when its event was lost. */
    void tick() {
        check(false);
    }

    /** This replica shuts down: the current state (or the end), then the stream closes. */
    void close() {
        synchronized (this) {
            closing = true;
        }
        check(true);
    }

    private void check(boolean announceCounts) {
        long after;
        boolean first;
        synchronized (this) {
            if (done) {
                return;
            }
            announce |= announceCounts;
            if (checking) {
                checkAgain = true;
                return;
            }
            checking = true;
            after = lastSent;
            first = !started;
        }
        log.eventState(taskId).flatMap(state -> {
            if (state.isEmpty() || first && !resuming || state.get().lastEvent() <= after) {
                return Uni.createFrom().item(new Snapshot(state, List.of()));
            }
            return log.deviceEvents(taskId, after, state.get().lastEvent()).map(rows -> new Snapshot(state, rows));
        }).subscribe().with(this::apply, this::failed);
    }

    private record Snapshot(Optional<TaskEventLog.EventState> state, List<JsonObject> devices) {
    }

    private synchronized void apply(Snapshot snapshot) {
        checking = false;
        if (done) {
            return;
        }
        if (snapshot.state().isEmpty()) {
            // deleted (retention) while followed
            finish();
            return;
        }
        TaskEventLog.EventState state = snapshot.state().get();
        boolean first = !started;
        started = true;
        if (first && (!resuming || lastSent > state.lastEvent())) {
            // a Last-Event-ID beyond the task's last event is no place to resume from
            lastSent = state.lastEvent();
        }
        boolean caughtUp = false;
        if (first && !resuming) {
            // a fresh connection: the state it starts from
            send("progress", lastSent, summary("progress", state));
        }
        for (JsonObject device : snapshot.devices()) {
            long seq = device.getLong("seq");
            if (seq > lastSent) {
                lastSent = seq;
                send("device", seq, device);
                caughtUp = true;
            }
        }
        if (state.isFinal()) {
            send("final", state.lastEvent(), summary("final", state));
            finish();
            return;
        }
        if (first && resuming || !first && (caughtUp || announce || closing)) {
            send("progress", lastSent, summary("progress", state));
        }
        announce = false;
        if (closing) {
            finish();
            return;
        }
        if (checkAgain) {
            checkAgain = false;
            check(false);
        }
    }

    private synchronized void failed(Throwable failure) {
        checking = false;
        if (done) {
            return;
        }
        LOG.debugf("events of task %s: state not read (%s), next check retries", taskId, failure.getMessage());
        if (closing) {
            finish();
        }
    }

    private JsonObject summary(String type, TaskEventLog.EventState state) {
        return new JsonObject().put("type", type).put("taskId", taskId.toString()).put("state", state.state()).put("counts",
                state.counts());
    }

    private void send(String name, long id, JsonObject data) {
        emitter.emit(sse.newEventBuilder().name(name).id(Long.toString(id)).mediaType(MediaType.APPLICATION_JSON_TYPE)
                .data(data.encode()).build());
    }

    private void finish() {
        done = true;
        emitter.complete();
    }

    synchronized boolean isDone() {
        return done;
    }
}
