package io.junoscommander.support.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.health.SmallRyeHealth;
import io.smallrye.health.SmallRyeHealthReporter;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Readiness as metrics, evaluated by the service itself every {@code READINESS_METRICS_INTERVAL} (not only when a probe
 * asks, so the figures are the same under Kubernetes, compose or the local stack): {@code junoscommander_ready} (1/0),
 * {@code junoscommander_readiness_check_up{check}} per readiness check ({@code postgresql}: a query through PgBouncer;
 * {@code redis}: a write to the master Sentinel names, measured even where it no longer gates readiness) and
 * {@code junoscommander_readiness_changes_total}, which counts
 * every flip once the replica has been ready (an alert then sees flapping that falls between two scrapes; starting up is
 * not flapping).
 */
@ApplicationScoped
public class ReadinessMetrics {

    private static final int UNKNOWN = -1;

    private final SmallRyeHealthReporter reporter;
    private final MeterRegistry meters;
    private final AtomicInteger ready = new AtomicInteger(UNKNOWN);
    private final Map<String, AtomicInteger> checks = new ConcurrentHashMap<>();
    private final Counter changes;
    private volatile boolean readyOnce;

    ReadinessMetrics(SmallRyeHealthReporter reporter, MeterRegistry meters) {
        this.reporter = reporter;
        this.meters = meters;
        Gauge.builder("junoscommander.ready", ready, value -> value.get() == UNKNOWN ? Double.NaN : value.get())
                .description("1 while this replica's readiness checks pass, 0 while one fails").register(meters);
        this.changes = Counter.builder("junoscommander.readiness.changes").description("times this replica's readiness flipped")
                .register(meters);
    }

    @Scheduled(every = "${junoscommander.readiness-metrics-interval}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
            identity = "readiness-metrics")
    Uni<Void> evaluate() {
        return reporter.getReadinessAsync().invoke(this::record).replaceWithVoid()
                .onFailure().invoke(e -> record(false)).onFailure().recoverWithNull();
    }

    void record(SmallRyeHealth health) {
        JsonObject payload = health.getPayload();
        if (payload.containsKey("checks")) {
            for (JsonValue value : payload.getJsonArray("checks")) {
                JsonObject check = value.asJsonObject();
                checks.computeIfAbsent(check.getString("name"), this::registerCheck).set(passes(check) ? 1 : 0);
            }
        }
        record(!health.isDown());
    }

    /** A check that reports its probe apart from its status (Redis, once reached: RedisReadinessCheck) is measured by the probe. */
    private static boolean passes(JsonObject check) {
        JsonObject data = check.getJsonObject("data");
        JsonValue reachable = data == null ? null : data.get("reachable");
        if (reachable != null && (reachable.getValueType() == JsonValue.ValueType.TRUE
                || reachable.getValueType() == JsonValue.ValueType.FALSE)) {
            return reachable.getValueType() == JsonValue.ValueType.TRUE;
        }
        return "UP".equals(check.getString("status"));
    }

    private void record(boolean up) {
        int now = up ? 1 : 0;
        int before = ready.getAndSet(now);
        // becoming ready at start is not a flip; every change after the first ready one is
        if (before != now && readyOnce) {
            changes.increment();
        }
        readyOnce |= up;
    }

    private AtomicInteger registerCheck(String name) {
        AtomicInteger state = new AtomicInteger();
        Gauge.builder("junoscommander.readiness.check.up", state, AtomicInteger::get).tag("check", name)
                .description("1 while this readiness check passes").register(meters);
        return state;
    }
}
