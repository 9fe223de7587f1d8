package io.junoscommander.gateway.session;

import io.junoscommander.gateway.GatewayConfig;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.redis.client.Command;
import io.vertx.mutiny.redis.client.Redis;
import io.vertx.mutiny.redis.client.Request;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.List;

/**
 * Brute-force protection shared by every gateway replica: failed logins are counted in Redis per user name and per client
 * address within {@code LOGIN_FAILURE_WINDOW}; from the second failure each answer is delayed (doubling), and at the
 * limit the user or address is locked for {@code LOGIN_LOCKOUT}, even for the right password.
 */
@ApplicationScoped
public class LoginThrottle {

    static final String USER_KEY = "gw:login-failures:user:";
    static final String ADDRESS_KEY = "gw:login-failures:address:";

    /** Count a failure; at the limit stretch the key's life to the lockout. Returns the new count. */
    private static final String FAIL = """
            local n = redis.call('INCR', KEYS[1])
            if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
            if n >= tonumber(ARGV[2]) then redis.call('PEXPIRE', KEYS[1], ARGV[3]) end
            return n
            """;

    private final Redis redis;
    private final GatewayConfig.Login config;

    LoginThrottle(Redis redis, GatewayConfig config) {
        this.redis = redis;
        this.config = config.login();
    }

    /** Locked state before a login attempt: how long is left, or zero when the attempt may proceed. */
    public Uni<Duration> lockedFor(String username, String address) {
        Request user = Request.cmd(Command.GET).arg(USER_KEY + username.toLowerCase());
        Request userTtl = Request.cmd(Command.PTTL).arg(USER_KEY + username.toLowerCase());
        Request addr = Request.cmd(Command.GET).arg(ADDRESS_KEY + address);
        Request addrTtl = Request.cmd(Command.PTTL).arg(ADDRESS_KEY + address);
        return redis.batch(List.of(user, userTtl, addr, addrTtl)).map(answers -> {
            long wait = 0;
            if (count(answers.get(0)) >= config.maxFailuresPerUser()) {
                wait = Math.max(wait, answers.get(1).toLong());
            }
            if (count(answers.get(2)) >= config.maxFailuresPerAddress()) {
                wait = Math.max(wait, answers.get(3).toLong());
            }
            return Duration.ofMillis(Math.max(wait, 0));
        }).onFailure().transform(e -> RedisUnavailableException.of(e, "Logging in"));
    }

    /** Records a failure for both counters; returns the delay to impose on this answer. */
    public Uni<Failure> fail(String username, String address) {
        Request user = Request.cmd(Command.EVAL).arg(FAIL).arg(1).arg(USER_KEY + username.toLowerCase())
                .arg(config.failureWindow().toMillis()).arg(config.maxFailuresPerUser()).arg(config.lockout().toMillis());
        Request addr = Request.cmd(Command.EVAL).arg(FAIL).arg(1).arg(ADDRESS_KEY + address)
                .arg(config.failureWindow().toMillis()).arg(config.maxFailuresPerAddress()).arg(config.lockout().toMillis());
        return redis.batch(List.of(user, addr)).map(answers -> {
            long userFailures = answers.get(0).toLong();
            long addressFailures = answers.get(1).toLong();
            long worst = Math.max(userFailures, addressFailures);
            long factor = worst < 2 ? 0 : 1L << Math.min(worst - 2, 4);
            boolean locked = userFailures >= config.maxFailuresPerUser() || addressFailures >= config.maxFailuresPerAddress();
            return new Failure(userFailures, addressFailures, config.slowdownBase().multipliedBy(factor), locked);
        }).onFailure().transform(e -> RedisUnavailableException.of(e, "Logging in"));
    }

    /** A successful login clears the user's counter (not the address's: one good account must not unlock a sprayer). */
    public Uni<Void> succeeded(String username) {
        return redis.send(Request.cmd(Command.DEL).arg(USER_KEY + username.toLowerCase())).replaceWithVoid()
                .onFailure().transform(e -> RedisUnavailableException.of(e, "Logging in"));
    }

    /** What a failure did: the counts, the delay to impose, and whether this failure locked the user or address. */
    public record Failure(long userFailures, long addressFailures, Duration delay, boolean locked) {
    }

    private static long count(io.vertx.mutiny.redis.client.Response answer) {
        return answer == null ? 0 : Long.parseLong(answer.toString());
    }
}
