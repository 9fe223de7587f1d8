package io.junoscommander.backup.devices;

import io.junoscommander.backup.run.BackupRunner;
import io.junoscommander.support.config.ServiceIdentity;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.redis.datasource.stream.StreamCommands;
import io.quarkus.redis.datasource.stream.StreamMessage;
import io.quarkus.redis.datasource.stream.XGroupCreateArgs;
import io.quarkus.redis.datasource.stream.XReadGroupArgs;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * Consumes the device service's config-changes stream with a consumer group: one consumer per replica (its instance id),
 * an entry acknowledged only after its ledger entry is stored, entries left pending by a replica that died taken over
 * ({@code XAUTOCLAIM}) once idle for {@code claim-idle}, and this replica's own pending entries (a failed store, a restart
 * under the same name) retried. Storing is idempotent on the entry id, so a redelivery never stores twice. Redis failing
 * over only pauses the loop: the client reconnects through Sentinel.
 */
@ApplicationScoped
public class ConfigChangeConsumer {

    private static final Logger LOG = Logger.getLogger(ConfigChangeConsumer.class);
    private static final Duration BLOCK = Duration.ofSeconds(2);
    private static final int BATCH = 50;

    private final StreamCommands<String, String, String> streams;
    private final DeviceConfigHistory history;
    private final ConfigNormalizer normalizer;
    private final DeviceHistoryConfig config;
    private final String consumer;
    private final Counter recorded;
    private final Counter duplicates;
    private final Counter unreadable;
    private volatile boolean running;
    private volatile boolean groupReady;
    private Thread loop;
    private long nextPendingCheck;

    ConfigChangeConsumer(RedisDataSource redis, DeviceConfigHistory history, ConfigNormalizer normalizer, DeviceHistoryConfig config,
            ServiceIdentity identity, MeterRegistry meters) {
        this.streams = redis.stream(String.class, String.class, String.class);
        this.history = history;
        this.normalizer = normalizer;
        this.config = config;
        this.consumer = identity.instanceId();
        this.recorded = meters.counter("backup.device.pushes.recorded");
        this.duplicates = meters.counter("backup.device.pushes.duplicates");
        this.unreadable = meters.counter("backup.device.pushes.unreadable");
    }

    void start(@Observes StartupEvent event) {
        if (!config.enabled()) {
            LOG.info("device configuration history is off: the config-changes stream is not consumed");
            return;
        }
        running = true;
        loop = new Thread(this::consume, "config-changes-consumer");
        loop.setDaemon(true);
        loop.start();
    }

    void stop(@Observes ShutdownEvent event) throws InterruptedException {
        running = false;
        if (loop != null) {
            loop.join(BLOCK.toMillis() + 1000);
        }
    }

    private void consume() {
        String stream = config.changeStream().key();
        String group = config.changeStream().group();
        long quietUntil = 0;
        while (running) {
            try {
                if (!groupReady) {
                    createGroup(stream, group);
                }
                if (System.currentTimeMillis() >= nextPendingCheck) {
                    // this replica's own unacknowledged entries first, then those of replicas that stopped acknowledging
                    handle(streams.xreadgroup(group, consumer, stream, "0", new XReadGroupArgs().count(BATCH)));
                    handle(streams.xautoclaim(stream, group, consumer, config.changeStream().claimIdle(), "0-0", BATCH).getMessages());
                    nextPendingCheck = System.currentTimeMillis() + Math.max(1000, config.changeStream().claimIdle().toMillis() / 2);
                }
                handle(streams.xreadgroup(group, consumer, stream, ">", new XReadGroupArgs().count(BATCH).block(BLOCK)));
            } catch (RuntimeException e) {
                if (String.valueOf(e.getMessage()).contains("NOGROUP")) {
                    groupReady = false;
                }
                if (System.currentTimeMillis() >= quietUntil) {
                    LOG.warnf("config-changes stream: %s (retrying every second)", e.getMessage());
                    quietUntil = System.currentTimeMillis() + 30_000;
                }
                pause();
            }
        }
    }

    /** From the stream's start: entries published before this service first ran are recorded too (idempotently). */
    private void createGroup(String stream, String group) {
        try {
            streams.xgroupCreate(stream, group, "0", new XGroupCreateArgs().mkstream());
        } catch (RuntimeException e) {
            if (!String.valueOf(e.getMessage()).contains("BUSYGROUP")) {
                throw e;
            }
        }
        groupReady = true;
    }

    private void handle(List<StreamMessage<String, String, String>> messages) {
        for (StreamMessage<String, String, String> message : messages) {
            if (!running) {
                return;
            }
            if (message.payload() == null || message.payload().isEmpty()) {
                // trimmed from the stream while pending: nothing left to record
                ack(message);
                continue;
            }
            PushEvent event;
            try {
                event = PushEvent.of(message.payload());
            } catch (IllegalArgumentException e) {
                unreadable.increment();
                LOG.warnf("config-changes entry %s skipped: %s", message.id(), e.getMessage());
                ack(message);
                continue;
            }
            String content = normalizer.normalize(event.content());
            try {
                boolean stored = BackupRunner.awaitCatalog(() -> history.recordPush(message.id(), event, content));
                (stored ? recorded : duplicates).increment();
            } catch (Exception e) {
                // left pending: retried on the next pending check, by this replica or, if it dies, another
                LOG.warnf("push on %s (entry %s) not recorded yet: %s", event.deviceName(), message.id(), e.getMessage());
                continue;
            }
            ack(message);
        }
    }

    private void ack(StreamMessage<String, String, String> message) {
        streams.xack(config.changeStream().key(), config.changeStream().group(), message.id());
    }

    private static void pause() {
        try {
            Thread.sleep(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
