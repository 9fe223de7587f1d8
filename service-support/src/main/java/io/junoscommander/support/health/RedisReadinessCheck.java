package io.junoscommander.support.health;

import io.smallrye.health.api.AsyncHealthCheck;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Redis gates readiness only until this replica has written to the master Sentinel names once. A wrong address, password
 * or CA keeps a new replica out of traffic (a rollout with a bad setting stops there), but a Redis outage later does not
 * take every replica of every service out of its Service at once: none needs Redis for most of its API, and the gateway
 * serves known sessions from its local cache. The check's {@code reachable} data is the probe itself (the
 * {@code junoscommander_readiness_check_up{check="redis"}} gauge and its alert follow it, not the status).
 */
@Readiness
@ApplicationScoped
public class RedisReadinessCheck implements AsyncHealthCheck {

    static final String REACHABLE = "reachable";

    private final InfrastructureProbes probes;
    private volatile boolean reachedOnce;

    RedisReadinessCheck(InfrastructureProbes probes) {
        this.probes = probes;
    }

    @Override
    public Uni<HealthCheckResponse> call() {
        return probes.redis().map(report -> {
            reachedOnce |= report.isUp();
            return report.toHealthResponse(reachedOnce, REACHABLE);
        });
    }
}
