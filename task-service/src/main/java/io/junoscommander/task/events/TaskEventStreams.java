package io.junoscommander.task.events;

import io.quarkus.runtime.ShutdownDelayInitiatedEvent;
import io.quarkus.runtime.ShutdownEvent;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.subscription.Cancellable;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import java.time.Duration;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The event streams this replica serves. On SIGTERM (when the shutdown delay begins, readiness turning DOWN) each is closed
 * with the task's current state, so the graceful shutdown does not wait for streams that last as long as their tasks; a
 * stream opened after that gets the current state and is closed at once. Clients reconnect, with {@code Last-Event-ID}, to
 * a replica that stays.
 */
@ApplicationScoped
public class TaskEventStreams {

    /** How often an open event stream compares what it sent with the database (a lost pub/sub event, the end). */
    private static final Duration CHECK_INTERVAL = Duration.ofSeconds(2);

    private final Set<TaskEventStream> open = ConcurrentHashMap.newKeySet();
    private final TaskEvents events;
    private final TaskEventLog log;
    private volatile boolean closing;

    TaskEventStreams(TaskEvents events, TaskEventLog log) {
        this.events = events;
        this.log = log;
    }

    /**
     * The events of one task for one client, from after {@code lastEventId} (null: a fresh connection). Live events come
     * through Redis, checks against the database every {@link #CHECK_INTERVAL}; see {@link TaskEventStream}.
     */
    public Multi<OutboundSseEvent> follow(UUID taskId, Long lastEventId, Sse sse) {
        return Multi.createFrom().emitter(emitter -> {
            TaskEventStream stream = new TaskEventStream(taskId, lastEventId, log, sse, emitter);
            Cancellable live = events.subscribe(taskId).subscribe().with(stream::live, e -> { });
            Cancellable checks = Multi.createFrom().ticks().every(CHECK_INTERVAL).subscribe().with(tick -> stream.tick(), e -> { });
            Runnable end = () -> {
                live.cancel();
                checks.cancel();
                remove(stream);
            };
            emitter.onTermination(end);
            add(stream);
            if (emitter.isCancelled()) {
                // the client left already: nothing of this stream may stay behind
                end.run();
                return;
            }
            stream.start();
        });
    }

    private void add(TaskEventStream stream) {
        open.add(stream);
        if (closing) {
            stream.close();
        }
    }

    private void remove(TaskEventStream stream) {
        open.remove(stream);
    }

    void shutdownDelay(@Observes ShutdownDelayInitiatedEvent event) {
        closeAll();
    }

    /** Without a shutdown delay, the first event of a shutdown. */
    void shutdown(@Observes ShutdownEvent event) {
        closeAll();
    }

    private void closeAll() {
        closing = true;
        open.forEach(TaskEventStream::close);
    }

    boolean isClosing() {
        return closing;
    }
}
