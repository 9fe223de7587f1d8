package io.junoscommander.support.instance;

import io.junoscommander.support.config.ServiceIdentity;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * Each replica keeps a row about itself fresh, through the reactive datasource and so through PgBouncer; operators and
 * the detailed health page see which replicas are alive. Rows of replicas gone for a day are removed.
 */
@ApplicationScoped
public class InstanceRegistry {

    private static final Logger LOG = Logger.getLogger(InstanceRegistry.class);
    private static final Duration FORGET_AFTER = Duration.ofDays(1);

    private final ServiceIdentity identity;
    private final OffsetDateTime startedAt = OffsetDateTime.now(ZoneOffset.UTC);

    InstanceRegistry(ServiceIdentity identity) {
        this.identity = identity;
    }

    public OffsetDateTime startedAt() {
        return startedAt;
    }

    @Scheduled(every = "${junoscommander.heartbeat-interval:10s}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> heartbeat() {
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        return Panache.withTransaction(() -> ServiceInstance.<ServiceInstance>findById(identity.instanceId()).flatMap(existing -> {
            ServiceInstance row = existing != null ? existing : new ServiceInstance();
            row.instanceId = identity.instanceId();
            row.service = identity.serviceName();
            row.version = identity.version();
            row.startedAt = startedAt;
            row.lastSeenAt = now;
            return row.<ServiceInstance>persist();
        }).flatMap(saved -> ServiceInstance.delete("lastSeenAt < ?1", now.minus(FORGET_AFTER)))).replaceWithVoid()
                // the database may be away for a while; readiness reports that, the next beat retries
                .onFailure().invoke(e -> LOG.warnf("instance heartbeat failed: %s", e.getMessage()))
                .onFailure().recoverWithNull();
    }

    /** Replicas that reported within {@code window}, newest first. */
    public Uni<List<ServiceInstance>> seenWithin(Duration window) {
        OffsetDateTime since = OffsetDateTime.now(ZoneOffset.UTC).minus(window);
        return Panache.withSession(() -> ServiceInstance.<ServiceInstance>list("lastSeenAt >= ?1 order by lastSeenAt desc", since));
    }
}
