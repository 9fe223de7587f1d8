package io.junoscommander.task.queue;

import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.redis.datasource.pubsub.ReactivePubSubCommands;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;
import java.util.UUID;
import org.jboss.logging.Logger;

/** Task progress over Redis pub/sub, so an SSE client on any replica sees what every replica records. */
@ApplicationScoped
public class TaskEvents {

    private static final Logger LOG = Logger.getLogger(TaskEvents.class);

    private final ReactivePubSubCommands<String> pubsub;

    TaskEvents(ReactiveRedisDataSource redis) {
        this.pubsub = redis.pubsub(String.class);
    }

    static String channel(UUID taskId) {
        return "junoscommander:task:" + taskId + ":events";
    }

    public Uni<Void> deviceFinished(ClaimedDevice device, String state, String errorKind, Map<String, Integer> counts) {
        JsonObject event = new JsonObject().put("type", "device").put("taskId", device.taskId().toString())
                .put("deviceId", device.deviceId().toString()).put("deviceName", device.deviceName()).put("state", state)
                .put("errorKind", errorKind).put("counts", counts);
        return publish(device.taskId(), event);
    }

    public Uni<Void> taskFinished(UUID taskId, String state, Map<String, Integer> counts) {
        return publish(taskId, new JsonObject().put("type", "final").put("taskId", taskId.toString()).put("state", state)
                .put("counts", counts));
    }

    /** Events of one task as JSON text; a lost publish is logged, never fails the recording (the SSE stream also polls). */
    public Multi<String> subscribe(UUID taskId) {
        return pubsub.subscribe(channel(taskId));
    }

    private Uni<Void> publish(UUID taskId, JsonObject event) {
        return pubsub.publish(channel(taskId), event.encode()).onFailure().invoke(e -> LOG.warnf("progress event of task %s not"
                + " published: %s", taskId, e.getMessage())).onFailure().recoverWithNull().replaceWithVoid();
    }
}
