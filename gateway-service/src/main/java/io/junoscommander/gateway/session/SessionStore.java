package io.junoscommander.gateway.session;

import io.junoscommander.gateway.GatewayConfig;
import io.junoscommander.gateway.security.Tokens;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.redis.client.Command;
import io.vertx.mutiny.redis.client.Redis;
import io.vertx.mutiny.redis.client.Request;
import io.vertx.mutiny.redis.client.Response;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Sessions in Redis (master found through Sentinel), shared by every gateway replica and so surviving a gateway restart.
 * The key is the SHA-256 of the token; the token itself is never stored. Each use slides the expiry by {@code SESSION_TTL}.
 * A set per user lists their session hashes for listing and revocation.
 */
@ApplicationScoped
public class SessionStore {

    static final String SESSION_KEY = "gw:session:";
    static final String USER_SESSIONS_KEY = "gw:user-sessions:";

    /** Read, slide the expiry and stamp the last use: one round trip. */
    private static final String TOUCH = """
            local v = redis.call('HGETALL', KEYS[1])
            if #v == 0 then return v end
            redis.call('PEXPIRE', KEYS[1], ARGV[1])
            redis.call('HSET', KEYS[1], 'lastSeenAt', ARGV[2])
            for i = 1, #v, 2 do
              if v[i] == 'username' then redis.call('PEXPIRE', ARGV[3] .. v[i + 1], ARGV[1]) end
            end
            return v
            """;

    private final Redis redis;
    private final Invalidations invalidations;
    private final Duration ttl;
    private final Duration replicationWait;

    SessionStore(Redis redis, GatewayConfig config, Invalidations invalidations) {
        this.redis = redis;
        this.invalidations = invalidations;
        this.ttl = config.session().ttl();
        this.replicationWait = config.session().replicationWait();
    }

    /** A stored session, as listed to its owner (never the token). */
    public record Session(String id, String username, String role, Instant createdAt, Instant lastSeenAt, Instant expiresAt,
            String clientAddress, String userAgent) {
    }

    /** A new session, written to the master and (bounded wait) acknowledged by a replica, so a failover keeps it. */
    public Uni<Instant> create(String token, String username, String role, String clientAddress, String userAgent) {
        String hash = Tokens.sha256(token);
        String now = Long.toString(System.currentTimeMillis());
        Request write = Request.cmd(Command.HSET).arg(SESSION_KEY + hash).arg("username").arg(username).arg("role").arg(role)
                .arg("createdAt").arg(now).arg("lastSeenAt").arg(now).arg("clientAddress").arg(clientAddress == null ? "" : clientAddress)
                .arg("userAgent").arg(userAgent == null ? "" : truncate(userAgent));
        Request expire = Request.cmd(Command.PEXPIRE).arg(SESSION_KEY + hash).arg(ttl.toMillis());
        Request index = Request.cmd(Command.SADD).arg(USER_SESSIONS_KEY + username).arg(hash);
        Request indexExpire = Request.cmd(Command.PEXPIRE).arg(USER_SESSIONS_KEY + username).arg(ttl.toMillis());
        Request replicate = Request.cmd(Command.WAIT).arg(1).arg(replicationWait.toMillis());
        return redis.batch(List.of(write, expire, index, indexExpire, replicate))
                .map(ignored -> Instant.now().plus(ttl)).onFailure().transform(e -> RedisUnavailableException.of(e, "Logging in"));
    }

    /**
     * The session of this token hash, its expiry slid forward and its last use stamped; empty when unknown or expired. Fails
     * with {@link RedisUnavailableException} when Redis cannot be reached.
     */
    public Uni<Optional<Session>> touch(String hash) {
        Request eval = Request.cmd(Command.EVAL).arg(TOUCH).arg(1).arg(SESSION_KEY + hash).arg(ttl.toMillis())
                .arg(System.currentTimeMillis()).arg(USER_SESSIONS_KEY);
        return redis.send(eval).map(answer -> toSession(hash, answer, Instant.now().plus(ttl)))
                .onFailure().transform(e -> RedisUnavailableException.of(e, "This session"));
    }

    /** Whose session this hash is, if it exists. */
    public Uni<Optional<String>> owner(String hash) {
        return redis.send(Request.cmd(Command.HGET).arg(SESSION_KEY + hash).arg("username"))
                .map(user -> user == null ? Optional.<String>empty() : Optional.of(user.toString()))
                .onFailure().transform(e -> RedisUnavailableException.of(e, "Sessions"));
    }

    public Uni<Boolean> revoke(String hash) {
        return redis.send(Request.cmd(Command.HGET).arg(SESSION_KEY + hash).arg("username")).flatMap(user -> {
            List<Request> commands = new ArrayList<>();
            commands.add(Request.cmd(Command.DEL).arg(SESSION_KEY + hash));
            if (user != null) {
                commands.add(Request.cmd(Command.SREM).arg(USER_SESSIONS_KEY + user.toString()).arg(hash));
            }
            return redis.batch(commands).map(answers -> answers.get(0) != null && answers.get(0).toInteger() > 0);
        }).onFailure().call(e -> invalidations.session(hash)) // this replica refuses it at once all the same
                .onFailure().transform(e -> RedisUnavailableException.of(e, "Ending a session"))
                .call(revoked -> invalidations.session(hash));
    }

    /** Every session of {@code username}; stale index entries are dropped on the way. */
    public Uni<List<Session>> list(String username) {
        return redis.send(Request.cmd(Command.SMEMBERS).arg(USER_SESSIONS_KEY + username)).flatMap(members -> {
            List<String> hashes = new ArrayList<>();
            if (members != null) {
                members.forEach(member -> hashes.add(member.toString()));
            }
            if (hashes.isEmpty()) {
                return Uni.createFrom().item(List.<Session>of());
            }
            List<Request> reads = new ArrayList<>();
            for (String hash : hashes) {
                reads.add(Request.cmd(Command.HGETALL).arg(SESSION_KEY + hash));
                reads.add(Request.cmd(Command.PTTL).arg(SESSION_KEY + hash));
            }
            return redis.batch(reads).flatMap(answers -> {
                List<Session> sessions = new ArrayList<>();
                List<String> stale = new ArrayList<>();
                for (int i = 0; i < hashes.size(); i++) {
                    long pttl = answers.get(2 * i + 1).toLong();
                    Optional<Session> session = toSession(hashes.get(i), answers.get(2 * i), Instant.now().plusMillis(Math.max(pttl, 0)));
                    if (session.isPresent() && session.get().username().equals(username)) {
                        sessions.add(session.get());
                    } else {
                        stale.add(hashes.get(i));
                    }
                }
                if (stale.isEmpty()) {
                    return Uni.createFrom().item(sessions);
                }
                Request srem = Request.cmd(Command.SREM).arg(USER_SESSIONS_KEY + username);
                stale.forEach(srem::arg);
                return redis.send(srem).replaceWith(sessions);
            });
        }).onFailure().transform(e -> RedisUnavailableException.of(e, "Sessions"));
    }

    /** Revokes every session of {@code username} except {@code keepHash} (may be null); returns how many. */
    public Uni<Integer> revokeAll(String username, String keepHash) {
        return list(username).flatMap(sessions -> {
            List<Session> doomed = sessions.stream().filter(s -> !s.id().equals(keepHash)).toList();
            if (doomed.isEmpty()) {
                return Uni.createFrom().item(0);
            }
            List<Request> commands = new ArrayList<>();
            Request srem = Request.cmd(Command.SREM).arg(USER_SESSIONS_KEY + username);
            for (Session session : doomed) {
                commands.add(Request.cmd(Command.DEL).arg(SESSION_KEY + session.id()));
                srem.arg(session.id());
            }
            commands.add(srem);
            return redis.batch(commands).replaceWith(doomed.size());
        }).onFailure().call(e -> invalidations.user(username))
                .onFailure().transform(e -> RedisUnavailableException.of(e, "Ending sessions"))
                .call(revoked -> invalidations.user(username));
    }

    private static Optional<Session> toSession(String hash, Response answer, Instant expiresAt) {
        if (answer == null || answer.size() == 0) {
            return Optional.empty();
        }
        Map<String, String> fields = fields(answer);
        if (!fields.containsKey("username")) {
            return Optional.empty();
        }
        return Optional.of(new Session(hash, fields.get("username"), fields.get("role"), millis(fields.get("createdAt")),
                millis(fields.get("lastSeenAt")), expiresAt, blankToNull(fields.get("clientAddress")),
                blankToNull(fields.get("userAgent"))));
    }

    /** A hash as RESP3 answers it (a map) or as RESP2 and Lua do (a flat array of names and values). */
    static Map<String, String> fields(Response answer) {
        Map<String, String> fields = new HashMap<>();
        java.util.Set<String> keys;
        try {
            keys = answer.getKeys();
        } catch (RuntimeException e) {
            keys = java.util.Set.of();
        }
        if (keys != null && !keys.isEmpty()) {
            for (String key : keys) {
                fields.put(key, answer.get(key).toString());
            }
            return fields;
        }
        for (int i = 0; i + 1 < answer.size(); i += 2) {
            fields.put(answer.get(i).toString(), answer.get(i + 1).toString());
        }
        return fields;
    }

    private static Instant millis(String value) {
        return value == null ? null : Instant.ofEpochMilli(Long.parseLong(value));
    }

    private static String blankToNull(String value) {
        return value == null || value.isEmpty() ? null : value;
    }

    private static String truncate(String value) {
        return value.length() > 200 ? value.substring(0, 200) : value;
    }
}
