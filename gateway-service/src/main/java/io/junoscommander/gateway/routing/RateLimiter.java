package io.junoscommander.gateway.routing;

import io.junoscommander.gateway.GatewayConfig;
import io.junoscommander.gateway.security.GatewayPrincipal;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;
import io.vertx.mutiny.redis.client.Command;
import io.vertx.mutiny.redis.client.Redis;
import io.vertx.mutiny.redis.client.Request;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jboss.logging.Logger;

/**
 * A token bucket per user (sessions) or per API token. Each replica takes from a local bucket, with no round trip on the
 * request path, and every {@code RATE_LIMIT_SYNC_INTERVAL} reconciles the buckets it used with the shared bucket in Redis
 * (Kong's {@code sync_rate}): it sends what it took, Redis (on its own clock) takes that from the shared bucket and answers
 * what is left for everyone, which becomes the local bucket. Replicas together may overshoot by what they allow within one
 * interval, which the shared bucket then owes. A replica that refused calls keeps asking, so it learns when the shared
 * bucket has tokens again. While Redis is unreachable the local buckets go on alone and what they took is sent once Redis
 * is back.
 * An API token may have a lower limit of its own.
 */
@ApplicationScoped
public class RateLimiter {

    public static final String KEY = "gw:ratelimit:";

    /**
     * KEYS: the buckets; ARGV: capacity, refill per ms and tokens taken, per bucket. Answers what each has left, which may be
     * negative (down to minus the capacity) when replicas together took more than there was: the debt is paid by refilling.
     */
    private static final String SYNC = """
            local t = redis.call('TIME')
            local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
            local out = {}
            for i, key in ipairs(KEYS) do
              local capacity = tonumber(ARGV[3 * i - 2])
              local perMs = tonumber(ARGV[3 * i - 1])
              local b = redis.call('HMGET', key, 'tokens', 'ts')
              local tokens = tonumber(b[1]) or capacity
              local ts = tonumber(b[2]) or now
              tokens = math.min(capacity, tokens + math.max(0, now - ts) * perMs)
              tokens = math.max(-capacity, tokens - tonumber(ARGV[3 * i]))
              redis.call('HSET', key, 'tokens', tostring(tokens), 'ts', tostring(now))
              redis.call('PEXPIRE', key, math.ceil(capacity / perMs) + 1000)
              out[i] = tostring(tokens)
            end
            return out
            """;
    private static final int KEYS_PER_SYNC = 500;
    private static final Logger LOG = Logger.getLogger(RateLimiter.class);

    private final Redis redis;
    private final GatewayConfig.RateLimit config;
    private final Vertx vertx;
    private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();
    private final AtomicBoolean syncing = new AtomicBoolean();
    private final Counter syncFailures;

    RateLimiter(Redis redis, GatewayConfig config, Vertx vertx, MeterRegistry meters) {
        this.redis = redis;
        this.config = config.rateLimit();
        this.vertx = vertx;
        this.syncFailures = meters.counter("gateway.ratelimit.sync.failures");
    }

    void start(@Observes StartupEvent event) {
        vertx.setPeriodic(config.syncInterval().toMillis(), id -> sync());
    }

    /** Zero when the request may proceed, else how long until the bucket has a token again. */
    public Duration take(GatewayPrincipal principal) {
        int perMinute = config.perMinute();
        int burst = config.burst();
        if (principal.rateLimitPerMinute() > 0 && principal.rateLimitPerMinute() < perMinute) {
            perMinute = principal.rateLimitPerMinute();
            burst = Math.min(burst, perMinute);
        }
        int capacity = burst;
        double perMs = perMinute / 60_000.0;
        Bucket bucket = buckets.computeIfAbsent(KEY + bucket(principal), key -> new Bucket(capacity, perMs));
        return Duration.ofMillis(bucket.take(System.nanoTime()));
    }

    static String bucket(GatewayPrincipal principal) {
        return GatewayPrincipal.API_TOKEN.equals(principal.credential()) ? "token:" + principal.credentialId()
                : "user:" + principal.username();
    }

    /** Sends what each used bucket took since the last reconciliation; forgets buckets idle long enough to be full again. */
    void sync() {
        if (!syncing.compareAndSet(false, true)) {
            return;
        }
        long now = System.nanoTime();
        List<String> keys = new ArrayList<>();
        List<Bucket> used = new ArrayList<>();
        buckets.forEach((key, bucket) -> {
            if (bucket.idleAndFull(now)) {
                buckets.remove(key, bucket);
            } else if (used.size() < KEYS_PER_SYNC && bucket.needsSync()) {
                keys.add(key);
                used.add(bucket);
            }
        });
        if (keys.isEmpty()) {
            syncing.set(false);
            return;
        }
        Request eval = Request.cmd(Command.EVAL).arg(SYNC).arg(keys.size());
        keys.forEach(eval::arg);
        List<Integer> sent = new ArrayList<>();
        for (Bucket bucket : used) {
            int taken = bucket.send();
            sent.add(taken);
            eval.arg(bucket.capacity).arg(Double.toString(bucket.perMs)).arg(taken);
        }
        redis.send(eval).subscribe().with(answer -> {
            long answeredAt = System.nanoTime();
            for (int i = 0; i < used.size(); i++) {
                used.get(i).reconcile(Double.parseDouble(answer.get(i).toString()), answeredAt);
            }
            syncing.set(false);
        }, failure -> {
            syncFailures.increment();
            LOG.debugf("rate limits not reconciled with Redis (local buckets go on): %s", failure.getMessage());
            for (int i = 0; i < used.size(); i++) {
                used.get(i).unsent(sent.get(i));
            }
            syncing.set(false);
        });
    }

    /** One local bucket: its tokens, and what it took since the last reconciliation. */
    static final class Bucket {
        private final int capacity;
        private final double perMs;
        private double tokens;
        private long updatedAt;
        /** Taken locally and not yet sent to Redis. */
        private int pending;
        /** Taken locally after the last reconciliation was sent. */
        private int sinceSent;
        /** Asked for a token (taken or refused) since the last reconciliation was sent. */
        private boolean asked;
        private long lastUsedAt;

        Bucket(int capacity, double perMs) {
            this.capacity = capacity;
            this.perMs = perMs;
            this.tokens = capacity;
            this.updatedAt = System.nanoTime();
            this.lastUsedAt = updatedAt;
        }

        synchronized long take(long now) {
            refill(now);
            lastUsedAt = now;
            asked = true;
            if (tokens >= 1) {
                tokens -= 1;
                pending++;
                sinceSent++;
                return 0;
            }
            return (long) Math.ceil((1 - tokens) / perMs);
        }

        synchronized boolean needsSync() {
            return pending > 0 || asked;
        }

        /** What to send; from now on, what is taken counts as taken after this reconciliation. */
        synchronized int send() {
            int taken = pending;
            pending = 0;
            sinceSent = 0;
            asked = false;
            return taken;
        }

        /** Redis answered what is left for everyone after what was sent: that, less what this replica took since. */
        synchronized void reconcile(double remaining, long now) {
            tokens = Math.max(-capacity, Math.min(capacity, remaining - sinceSent));
            updatedAt = now;
        }

        /** The reconciliation failed: what was sent is sent with the next one. */
        synchronized void unsent(int taken) {
            pending += taken;
        }

        synchronized boolean idleAndFull(long now) {
            refill(now);
            return pending == 0 && tokens >= capacity && now - lastUsedAt > 60_000_000_000L;
        }

        private void refill(long now) {
            tokens = Math.min(capacity, tokens + (now - updatedAt) / 1_000_000.0 * perMs);
            updatedAt = now;
        }
    }
}
