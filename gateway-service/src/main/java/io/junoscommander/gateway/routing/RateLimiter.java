package io.junoscommander.gateway.routing;

import io.junoscommander.gateway.GatewayConfig;
import io.junoscommander.gateway.security.GatewayPrincipal;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.redis.client.Command;
import io.vertx.mutiny.redis.client.Redis;
import io.vertx.mutiny.redis.client.Request;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;

/**
 * A token bucket per user (sessions) or per API token, in Redis so every gateway replica draws from the same bucket. The
 * refill uses Redis's clock, not the replicas'. An API token may have a lower limit of its own.
 */
@ApplicationScoped
public class RateLimiter {

    public static final String KEY = "gw:ratelimit:";

    /** The token bucket as a Lua function, shared with the session lookup (one round trip for both). */
    public static final String BUCKET_FUNCTION = """
            local function take(key, capacity, perMs)
              local t = redis.call('TIME')
              local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
              local b = redis.call('HMGET', key, 'tokens', 'ts')
              local tokens = tonumber(b[1]) or capacity
              local ts = tonumber(b[2]) or now
              tokens = math.min(capacity, tokens + math.max(0, now - ts) * perMs)
              local wait = 0
              if tokens >= 1 then tokens = tokens - 1 else wait = math.ceil((1 - tokens) / perMs) end
              redis.call('HSET', key, 'tokens', tostring(tokens), 'ts', tostring(now))
              redis.call('PEXPIRE', key, math.ceil(capacity / perMs) + 1000)
              return wait
            end
            """;

    private static final String TAKE = BUCKET_FUNCTION + "return take(KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2]))\n";

    private final Redis redis;
    private final GatewayConfig.RateLimit config;

    RateLimiter(Redis redis, GatewayConfig config) {
        this.redis = redis;
        this.config = config.rateLimit();
    }

    /** Zero when the request may proceed, else how long until the bucket has a token again. */
    public Uni<Duration> take(GatewayPrincipal principal) {
        if (principal.rateLimitWaitMs() >= 0) {
            // sessions: taken in the same Redis round trip as the session lookup
            return Uni.createFrom().item(Duration.ofMillis(principal.rateLimitWaitMs()));
        }
        int perMinute = config.perMinute();
        int burst = config.burst();
        if (principal.rateLimitPerMinute() > 0 && principal.rateLimitPerMinute() < perMinute) {
            perMinute = principal.rateLimitPerMinute();
            burst = Math.min(burst, perMinute);
        }
        String key = KEY + bucket(principal);
        Request eval = Request.cmd(Command.EVAL).arg(TAKE).arg(1).arg(key).arg(burst).arg(Double.toString(perMinute / 60_000.0));
        return redis.send(eval).map(answer -> Duration.ofMillis(answer.toLong()));
    }

    /** Bucket size and refill per millisecond of the global limit (sessions). */
    public int burst() {
        return config.burst();
    }

    public double perMillisecond() {
        return config.perMinute() / 60_000.0;
    }

    static String bucket(GatewayPrincipal principal) {
        return GatewayPrincipal.API_TOKEN.equals(principal.credential()) ? "token:" + principal.credentialId()
                : "user:" + principal.username();
    }
}
