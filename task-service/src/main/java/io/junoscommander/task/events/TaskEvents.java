package io.junoscommander.task.events;

import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.redis.datasource.pubsub.ReactivePubSubCommands;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jboss.logging.Logger;

/**
 * Task progress over Redis pub/sub, so an SSE client on any replica sees what every replica records. Pub/sub is
 * fire-and-forget: what is published while a subscriber's connection is down (a Redis failover) is lost to it, so the
 * numbers of device events ({@code seq}) let a subscriber see the gap and catch up from PostgreSQL.
 */
@ApplicationScoped
public class TaskEvents {

    /** Emitted by {@link #subscribe} each time it subscribed again after its connection ended: events may have been missed. */
    public static final String RESUBSCRIBED = "{\"type\":\"resubscribed\"}";

    private static final Logger LOG = Logger.getLogger(TaskEvents.class);
    /** A publish waits no longer for a connection (a failover): its subscribers catch up from the database anyway. */
    private static final Duration PUBLISH_TIMEOUT = Duration.ofSeconds(2);

    private final ReactivePubSubCommands<String> pubsub;

    TaskEvents(ReactiveRedisDataSource redis) {
        this.pubsub = redis.pubsub(String.class);
    }

    static String channel(UUID taskId) {
        return "junoscommander:task:" + taskId + ":events";
    }

    /** One device's result as a progress event; {@code seq}: its number in its task's event sequence (null when unknown). */
    public static JsonObject deviceEvent(UUID taskId, UUID deviceId, String deviceName, String state, String errorKind,
            Map<String, Integer> counts, Long seq) {
        return new JsonObject().put("type", "device").put("taskId", taskId.toString()).put("deviceId", deviceId.toString())
                .put("deviceName", deviceName).put("state", state).put("errorKind", errorKind).put("counts", counts).put("seq", seq);
    }

    /**
     * The device events one batch write recorded for a task, in sequence order, as one message: a replica writing hundreds
     * of results a second publishes once per task and batch, not once per device. Subscribers also accept a single
     * {@code device} message (what a replica of an earlier version publishes during a rolling update).
     */
    public Uni<Void> devicesFinished(UUID taskId, List<JsonObject> deviceEvents) {
        if (deviceEvents.size() == 1) {
            return publish(taskId, deviceEvents.get(0));
        }
        return publish(taskId, new JsonObject().put("type", "devices").put("taskId", taskId.toString())
                .put("events", new JsonArray(new ArrayList<>(deviceEvents))));
    }

    public Uni<Void> taskFinished(UUID taskId, String state, Map<String, Integer> counts) {
        return publish(taskId, new JsonObject().put("type", "final").put("taskId", taskId.toString()).put("state", state)
                .put("counts", counts));
    }

    /**
     * Events of one task as JSON text. It never ends by itself: when the subscription's connection ends or fails (the
     * Redis master died), it subscribes again, through Sentinel, to whichever master there is now, retrying with back-off
     * until one answers, and then emits {@link #RESUBSCRIBED} first.
     */
    public Multi<String> subscribe(UUID taskId) {
        AtomicBoolean first = new AtomicBoolean(true);
        return Multi.createFrom().deferred(() -> once(taskId, !first.getAndSet(false)))
                .onCompletion().failWith(() -> new IllegalStateException("subscription ended"))
                .onFailure().invoke(e -> LOG.debugf("events of task %s: subscription lost (%s), subscribing again", taskId, e.getMessage()))
                .onFailure().retry().withBackOff(Duration.ofMillis(200), Duration.ofSeconds(2)).indefinitely();
    }

    private Multi<String> once(UUID taskId, boolean again) {
        return Multi.createFrom().emitter(emitter -> pubsub.subscribe(List.of(channel(taskId)), emitter::emit, emitter::complete,
                emitter::fail).subscribe().with(subscriber -> {
                    Runnable unsubscribe = () -> subscriber.unsubscribe().subscribe().with(ignored -> { }, e -> { });
                    if (emitter.isCancelled()) {
                        unsubscribe.run();
                        return;
                    }
                    emitter.onTermination(unsubscribe);
                    if (again) {
                        LOG.infof("events of task %s: subscribed again after the Redis connection ended", taskId);
                        emitter.emit(RESUBSCRIBED);
                    }
                }, emitter::fail));
    }

    private Uni<Void> publish(UUID taskId, JsonObject event) {
        return pubsub.publish(channel(taskId), event.encode()).ifNoItem().after(PUBLISH_TIMEOUT).fail()
                .onFailure().invoke(e -> LOG.warnf("progress event of task %s not published: %s", taskId, e.getMessage()))
                .onFailure().recoverWithNull().replaceWithVoid();
    }
}
