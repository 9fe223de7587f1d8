package io.junoscommander.device.changes;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.redis.datasource.stream.ReactiveStreamCommands;
import io.quarkus.redis.datasource.stream.XAddArgs;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * Publishes each committed configuration on a Redis Stream ({@code XADD jc:config-changes MAXLEN ~ N * ...}); the backup
 * service consumes it with a consumer group and records the version at once. A publish that fails (Redis failing over
 * for longer than the retries) is logged and counted, never fails the push: the next scheduled collection still sees the
 * change, only without the pusher's name.
 */
@ApplicationScoped
public class ConfigChangePublisher {

    private static final Logger LOG = Logger.getLogger(ConfigChangePublisher.class);
    /** A Sentinel failover takes about 3.5 s here; retrying for a little longer rides it out. */
    private static final Duration RETRY_FOR = Duration.ofSeconds(6);

    private final ReactiveStreamCommands<String, String, String> streams;
    private final String stream;
    private final long maxLength;
    private final Counter published;
    private final Counter failed;

    ConfigChangePublisher(ReactiveRedisDataSource redis, MeterRegistry meters, ConfigChangesConfig config) {
        this.streams = redis.stream(String.class, String.class, String.class);
        this.stream = config.stream();
        this.maxLength = config.maxLength();
        this.published = Counter.builder("device.config.changes.published").description("committed configurations published"
                + " on the config-changes stream").register(meters);
        this.failed = Counter.builder("device.config.changes.publish.failures").description("committed configurations that could"
                + " not be published (the next scheduled collection records them without the pusher)").register(meters);
    }

    /** Completes with the stream entry id, or null when the change could not be published. Never fails. */
    public Uni<String> publish(ConfigChange change) {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("deviceId", change.deviceId().toString());
        fields.put("deviceName", change.deviceName());
        fields.put("content", change.content());
        fields.put("sha256", change.sha256());
        fields.put("user", change.user());
        fields.put("requestId", change.requestId());
        if (change.taskId() != null) {
            fields.put("taskId", change.taskId());
        }
        fields.put("mode", change.mode());
        if (change.comment() != null && !change.comment().isBlank()) {
            fields.put("comment", change.comment());
        }
        fields.put("committedAt", change.committedAt().toString());
        return streams.xadd(stream, new XAddArgs().maxlen(maxLength).nearlyExactTrimming(), fields)
                .onFailure().retry().withBackOff(Duration.ofMillis(200), Duration.ofSeconds(1)).expireIn(RETRY_FOR.toMillis())
                .invoke(id -> published.increment())
                .onFailure().recoverWithItem(e -> {
                    failed.increment();
                    LOG.warnf("committed configuration of %s (%s) not published on %s: %s; the next scheduled collection records it",
                            change.deviceName(), change.deviceId(), stream, e.getMessage());
                    return null;
                });
    }
}
