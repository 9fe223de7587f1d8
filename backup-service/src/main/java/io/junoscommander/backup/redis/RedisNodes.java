package io.junoscommander.backup.redis;

import io.junoscommander.support.config.RedisTls;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.ProtocolVersion;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One-off commands to a named Redis server or Sentinel (the snapshot must come from one chosen node, so the pooled
 * Sentinel-routed client of the other services does not fit). Blocking: for the backup worker thread only.
 */
@ApplicationScoped
public class RedisNodes {

    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    private final Vertx vertx;
    private final RedisTls tls;

    RedisNodes(Vertx vertx, RedisTls tls) {
        this.vertx = vertx;
        this.tls = tls;
    }

    /** A {@code host:port} address; accepts a {@code redis://} prefix and {@code [v6]:port}. */
    public record Address(String host, int port) {
        public static Address parse(String text) {
            String value = text.strip().replaceFirst("^rediss?://", "");
            value = value.contains("@") ? value.substring(value.lastIndexOf('@') + 1) : value;
            value = value.endsWith("/") ? value.substring(0, value.length() - 1) : value;
            int colon = value.lastIndexOf(':');
            if (colon <= 0 || colon == value.length() - 1) {
                throw new IllegalArgumentException("not a host:port address: " + value);
            }
            String host = value.substring(0, colon).replace("[", "").replace("]", "");
            return new Address(host, Integer.parseInt(value.substring(colon + 1)));
        }

        @Override
        public String toString() {
            return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
        }
    }

    /** Sends one command; with {@code password} the connection authenticates first. */
    public Response send(Address address, Optional<String> password, Command command, String... args) throws IOException {
        RedisOptions options = tls.secure(new RedisOptions().setConnectionString(tls.uri(address.toString())).setPreferredProtocolVersion(
                ProtocolVersion.RESP2).setMaxPoolSize(1).setMaxPoolWaiting(1).setMetricsName("redis.backup.node"));
        password.filter(p -> !p.isEmpty()).ifPresent(options::setPassword);
        Redis client = Redis.createClient(vertx, options);
        try {
            RedisConnection connection = await(client.connect(), address);
            try {
                Request request = Request.cmd(command);
                for (String arg : args) {
                    request.arg(arg);
                }
                return await(connection.send(request), address);
            } finally {
                connection.close();
            }
        } finally {
            client.close();
        }
    }

    /**
     * A Sentinel may run without the password its Redis servers require: try with it, and without it when the Sentinel
     * says it has none.
     */
    public Response sendToSentinel(Address sentinel, Optional<String> password, Command command, String... args) throws IOException {
        try {
            return send(sentinel, password, command, args);
        } catch (IOException e) {
            String message = String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT);
            if (password.isPresent() && message.contains("auth") && (message.contains("no password") || message.contains("without any"))) {
                return send(sentinel, Optional.empty(), command, args);
            }
            throw e;
        }
    }

    /** The {@code key value key value …} array of a RESP2 answer as a map (e.g. one replica of SENTINEL REPLICAS). */
    public static Map<String, String> fields(Response flat) {
        Map<String, String> fields = new LinkedHashMap<>();
        for (int i = 0; i + 1 < flat.size(); i += 2) {
            fields.put(flat.get(i).toString(), flat.get(i + 1) == null ? "" : flat.get(i + 1).toString());
        }
        return fields;
    }

    /** Every element of an array answer as a map of its fields. */
    public static List<Map<String, String>> records(Response array) {
        List<Map<String, String>> records = new ArrayList<>();
        if (array != null) {
            for (Response item : array) {
                records.add(fields(item));
            }
        }
        return records;
    }

    private static <T> T await(io.vertx.core.Future<T> future, Address address) throws IOException {
        try {
            return future.toCompletionStage().toCompletableFuture().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            throw new IOException("Redis at " + address + ": " + cause.getMessage(), cause);
        } catch (TimeoutException e) {
            throw new IOException("Redis at " + address + " did not answer within " + TIMEOUT.toSeconds() + " s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for Redis at " + address, e);
        }
    }
}
