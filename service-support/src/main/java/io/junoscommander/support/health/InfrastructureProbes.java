package io.junoscommander.support.health;

import io.junoscommander.support.config.RedisTls;
import io.junoscommander.support.config.ServiceIdentity;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.redis.client.Command;
import io.vertx.mutiny.redis.client.Redis;
import io.vertx.mutiny.redis.client.Request;
import io.vertx.mutiny.redis.client.Response;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.redis.client.RedisOptions;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Real round trips to the service's dependencies, each bounded by {@code junoscommander.health-timeout}: a query through
 * PgBouncer, and a write to the Redis master found through Sentinel (a write, because a demoted master still answers PING).
 */
@ApplicationScoped
public class InfrastructureProbes {

    static final String POSTGRES = "postgresql";
    static final String REDIS = "redis";
    /** The Vert.x client metrics' name prefix of the Sentinel probes (without one they are exported as {@code m__*}). */
    static final String SENTINEL_PROBE_METRICS = "redis.sentinel.probe";

    private final Pool pool;
    private final Redis redis;
    private final Vertx vertx;
    private final ServiceIdentity identity;
    private final RedisTls redisTls;
    private final MeterRegistry meters;
    private final String databaseAddress;
    private final int poolMaxSize;
    private final List<URI> sentinels;
    private final String masterName;
    private final Map<URI, Redis> sentinelClients = new ConcurrentHashMap<>();

    InfrastructureProbes(Pool pool, Redis redis, Vertx vertx, ServiceIdentity identity, RedisTls redisTls, MeterRegistry meters,
            @ConfigProperty(name = "quarkus.datasource.reactive.url") String databaseUrl,
            @ConfigProperty(name = "quarkus.datasource.reactive.max-size") int poolMaxSize,
            @ConfigProperty(name = "quarkus.redis.hosts") List<URI> sentinels,
            @ConfigProperty(name = "quarkus.redis.master-name") String masterName) {
        this.pool = pool;
        this.redis = redis;
        this.vertx = vertx;
        this.identity = identity;
        this.redisTls = redisTls;
        this.meters = meters;
        URI url = URI.create(databaseUrl);
        this.databaseAddress = url.getHost() + ":" + url.getPort() + url.getPath();
        this.poolMaxSize = poolMaxSize;
        this.sentinels = List.copyOf(sentinels);
        this.masterName = masterName;
    }

    /** {@code SELECT 1} through PgBouncer. */
    public Uni<ComponentReport> postgres() {
        long start = System.nanoTime();
        return pool.query("SELECT 1").execute().ifNoItem().after(identity.healthTimeout()).fail()
                .map(rows -> ComponentReport.up(POSTGRES, "pgbouncer", databaseAddress, elapsedMs(start), poolFigures()))
                .onFailure().recoverWithItem(e -> ComponentReport.down(POSTGRES, "pgbouncer", databaseAddress, elapsedMs(start),
                        describe(e)));
    }

    /** A short-lived key written to the master Sentinel names, then the master's address as Sentinel reports it. */
    public Uni<ComponentReport> redis() {
        long start = System.nanoTime();
        String key = "health:" + identity.serviceName() + ":" + identity.instanceId();
        Request write = Request.cmd(Command.SET).arg(key).arg(Long.toString(System.currentTimeMillis())).arg("EX").arg("60");
        return redis.send(write).ifNoItem().after(identity.healthTimeout()).fail()
                .map(ok -> elapsedMs(start))
                .flatMap(elapsed -> currentMaster().map(master -> ComponentReport.up(REDIS, "sentinel", master.orElse(null), elapsed,
                        Map.of("masterName", masterName, "sentinels", sentinels.stream().map(URI::getAuthority).toList()))))
                .onFailure().recoverWithItem(e -> ComponentReport.down(REDIS, "sentinel", null, elapsedMs(start), describe(e)));
    }

    /** Asks the Sentinels in turn for the current master; empty when none answers in time. */
    public Uni<Optional<String>> currentMaster() {
        return askSentinel(0);
    }

    private Uni<Optional<String>> askSentinel(int index) {
        if (index >= sentinels.size()) {
            return Uni.createFrom().item(Optional.empty());
        }
        Redis client = sentinelClients.computeIfAbsent(sentinels.get(index),
                uri -> Redis.createClient(vertx, redisTls.secure(new RedisOptions().setConnectionString(uri.toString()).setMaxPoolSize(1)
                        .setPoolName("sentinel-probe-" + uri.getPort()).setMetricsName(SENTINEL_PROBE_METRICS))));
        Request ask = Request.cmd(Command.SENTINEL).arg("get-master-addr-by-name").arg(masterName);
        return client.send(ask).ifNoItem().after(identity.healthTimeout()).fail()
                .map(InfrastructureProbes::address)
                .onFailure().recoverWithItem(Optional.empty())
                .flatMap(found -> found.isPresent() ? Uni.createFrom().item(found) : askSentinel(index + 1));
    }

    private static Optional<String> address(Response answer) {
        if (answer == null || answer.size() != 2) {
            return Optional.empty();
        }
        return Optional.of(answer.get(0).toString() + ":" + answer.get(1).toString());
    }

    /** Pool figures: the configured maximum, current size, and in-flight and queued requests from the SQL client metrics. */
    private Map<String, Object> poolFigures() {
        Map<String, Object> figures = new LinkedHashMap<>();
        figures.put("maxSize", poolMaxSize);
        figures.put("size", pool.size());
        Gauge inUse = meters.find("postgresql.current").tag("clientType", "sql").gauge();
        if (inUse != null) {
            int active = (int) inUse.value();
            figures.put("active", active);
            figures.put("idle", Math.max(0, pool.size() - active));
        }
        Gauge waiting = meters.find("postgresql.queue.size").tag("clientType", "sql").gauge();
        if (waiting != null) {
            figures.put("waiting", (int) waiting.value());
        }
        return figures;
    }

    private static long elapsedMs(long startNanos) {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }

    /** Short and safe for a health answer: the exception kind and message, never a stack trace. */
    private static String describe(Throwable e) {
        String message = e.getMessage() == null ? "" : e.getMessage();
        String kind = e instanceof io.smallrye.mutiny.TimeoutException ? "timeout" : e.getClass().getSimpleName();
        return message.isEmpty() ? kind : kind + ": " + (message.length() > 200 ? message.substring(0, 200) : message);
    }

    @PreDestroy
    void closeSentinelClients() {
        new ArrayList<>(sentinelClients.values()).forEach(Redis::close);
    }
}
