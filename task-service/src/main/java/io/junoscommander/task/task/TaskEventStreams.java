package io.junoscommander.task.task;

import io.quarkus.runtime.ShutdownDelayInitiatedEvent;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The event streams this replica serves. On SIGTERM (when the shutdown delay begins, readiness turning DOWN) each is closed
 * with the task's current state, so the graceful shutdown does not wait for streams that last as long as their tasks; a
 * stream opened after that gets the current state and is closed at once. Clients reconnect, with {@code Last-Event-ID}, to
 * a replica that stays.
 */
@ApplicationScoped
public class TaskEventStreams {

    private final Set<TaskEventStream> open = ConcurrentHashMap.newKeySet();
    private volatile boolean closing;

    void add(TaskEventStream stream) {
        open.add(stream);
        if (closing) {
            stream.close();
        }
    }

    void remove(TaskEventStream stream) {
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
