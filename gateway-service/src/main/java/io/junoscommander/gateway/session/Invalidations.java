package io.junoscommander.gateway.session;

import io.junoscommander.gateway.security.CredentialCache;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import io.vertx.mutiny.redis.client.Command;
import io.vertx.mutiny.redis.client.Redis;
import io.vertx.mutiny.redis.client.RedisConnection;
import io.vertx.mutiny.redis.client.Request;
import io.vertx.mutiny.redis.client.Response;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.jboss.logging.Logger;

/**
 * Pushes credential invalidations to every gateway replica through Redis pub/sub (channel {@value #CHANNEL}): logout and
 * session revocation ({@code session:<hash>}), user changes ({@code user:<name>}: role, enabled, password, deletion) and API
 * token revocation ({@code token:<id>}). Each replica applies its own invalidations at once and the others' as the message
 * arrives (milliseconds). One connection stays subscribed; when it is lost (a Redis failover) it is opened again through
 * Sentinel, and since messages may have been missed meanwhile, the whole local cache is invalidated then.
 */
@ApplicationScoped
public class Invalidations {

    public static final String CHANNEL = "gw:invalidations";

    private static final Logger LOG = Logger.getLogger(Invalidations.class);
    private static final long RECONNECT_MS = 200;

    private final Redis redis;
    private final CredentialCache cache;
    private final Vertx vertx;
    private final AtomicReference<RedisConnection> subscribed = new AtomicReference<>();
    private final AtomicBoolean connecting = new AtomicBoolean();
    /** Published while Redis was away: sent again once subscribed again. */
    private final Queue<String> unsent = new ConcurrentLinkedQueue<>();
    private final Counter resubscriptions;
    private final Counter received;
    private volatile boolean stopped;
    private volatile long lostAt;

    Invalidations(Redis redis, CredentialCache cache, Vertx vertx, MeterRegistry meters) {
        this.redis = redis;
        this.cache = cache;
        this.vertx = vertx;
        this.resubscriptions = meters.counter("gateway.invalidations.resubscriptions");
        this.received = meters.counter("gateway.invalidations.received");
        Gauge.builder("gateway.invalidations.subscribed", subscribed, s -> s.get() == null ? 0 : 1)
                .description("1 while this replica is subscribed to credential invalidations").register(meters);
    }

    void start(@Observes StartupEvent event) {
        subscribe();
        vertx.setPeriodic(1000, id -> cache.sweep());
    }

    void stop(@Observes ShutdownEvent event) {
        stopped = true;
        RedisConnection connection = subscribed.getAndSet(null);
        if (connection != null) {
            connection.close().subscribe().with(ok -> { }, e -> { });
        }
    }

    /** True while the subscription is up (invalidations reach this replica). */
    public boolean isSubscribed() {
        return subscribed.get() != null;
    }

    /** Logout or revocation of one session. */
    public Uni<Void> session(String hash) {
        cache.invalidateSession(hash);
        return publish("session:" + hash);
    }

    /** Every credential of a user (role change, disabled, password, deleted, all sessions revoked). */
    public Uni<Void> user(String username) {
        cache.invalidateUser(username);
        return publish("user:" + username);
    }

    /** One API token revoked. */
    public Uni<Void> token(String id) {
        cache.invalidateToken(id);
        return publish("token:" + id);
    }

    /**
     * Sends the invalidation to the other replicas. It never fails the caller: the change itself is stored; if Redis is away,
     * the message is sent again once the subscription is back (and the others invalidate everything after their own
     * reconnection anyway, and confirm each cached credential within {@code CREDENTIAL_CACHE_REFRESH} of its next use).
     */
    private Uni<Void> publish(String message) {
        return redis.send(Request.cmd(Command.PUBLISH).arg(CHANNEL).arg(message)).replaceWithVoid().onFailure().recoverWithItem(e -> {
            LOG.warnf("invalidation not published (Redis unreachable), sent again when Redis is back: %s", e.getMessage());
            unsent.add(message);
            return null;
        });
    }

    private void subscribe() {
        if (stopped || !connecting.compareAndSet(false, true)) {
            return;
        }
        redis.connect().subscribe().with(connection -> {
            connection.handler(this::onMessage);
            connection.exceptionHandler(e -> lost(connection, e));
            connection.endHandler(() -> lost(connection, null));
            connection.send(Request.cmd(Command.SUBSCRIBE).arg(CHANNEL)).subscribe().with(ok -> subscribed(connection), e -> {
                connecting.set(false);
                connection.close().subscribe().with(x -> { }, x -> { });
                retry(e);
            });
        }, e -> {
            connecting.set(false);
            retry(e);
        });
    }

    private void subscribed(RedisConnection connection) {
        connecting.set(false);
        subscribed.set(connection);
        // anything published while this replica was not listening is lost: every cached credential is confirmed again
        cache.invalidateAll();
        if (lostAt != 0) {
            resubscriptions.increment();
            LOG.infof("subscribed to credential invalidations again after %d ms; local credential cache invalidated",
                    (System.nanoTime() - lostAt) / 1_000_000);
            lostAt = 0;
        }
        for (String message = unsent.poll(); message != null; message = unsent.poll()) {
            publish(message).subscribe().with(ok -> { });
        }
    }

    private void lost(RedisConnection connection, Throwable failure) {
        if (!subscribed.compareAndSet(connection, null)) {
            return;
        }
        lostAt = System.nanoTime();
        LOG.warnf("subscription to credential invalidations lost (%s); subscribing again",
                failure == null ? "connection closed" : failure.getMessage());
        connection.close().subscribe().with(x -> { }, x -> { });
        vertx.setTimer(RECONNECT_MS, id -> subscribe());
    }

    private void retry(Throwable failure) {
        if (lostAt == 0) {
            lostAt = System.nanoTime();
        }
        LOG.debugf("subscribing to credential invalidations failed (%s); retrying", failure.getMessage());
        if (!stopped) {
            vertx.setTimer(RECONNECT_MS, id -> subscribe());
        }
    }

    private void onMessage(Response message) {
        if (message == null || message.size() < 3 || !"message".equalsIgnoreCase(message.get(0).toString())) {
            return;
        }
        String payload = message.get(2).toString();
        int colon = payload.indexOf(':');
        if (colon < 0) {
            return;
        }
        received.increment();
        String kind = payload.substring(0, colon);
        String value = payload.substring(colon + 1);
        switch (kind) {
            case "session" -> cache.invalidateSession(value);
            case "user" -> cache.invalidateUser(value);
            case "token" -> cache.invalidateToken(value);
            default -> LOG.debugf("unknown invalidation %s", kind);
        }
    }
}
