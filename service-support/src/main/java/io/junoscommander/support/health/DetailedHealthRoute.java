package io.junoscommander.support.health;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.junoscommander.support.config.ServiceIdentity;
import io.junoscommander.support.instance.InstanceRegistry;
import io.quarkus.vertx.core.runtime.context.VertxContextSafetyToggle;
import io.quarkus.vertx.http.ManagementInterface;
import io.smallrye.common.vertx.VertxContext;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code /health/detailed}: one page for an operator: who answers (service, version, replica, uptime), each dependency
 * with its response time and pool figures, and which replicas of the service reported recently. 503 when a dependency
 * is down, like readiness. It names internal addresses, so it is served only on the management interface
 * ({@code MANAGEMENT_PORT}), beside {@code /health} and {@code /metrics}; the public port answers 404 for it.
 */
@ApplicationScoped
public class DetailedHealthRoute {

    static final String PATH = "/health/detailed";

    private final InfrastructureProbes probes;
    private final InstanceRegistry registry;
    private final ServiceIdentity identity;
    private final List<ComponentContributor> contributors;
    private final ObjectMapper json;

    DetailedHealthRoute(InfrastructureProbes probes, InstanceRegistry registry, ServiceIdentity identity,
            Instance<ComponentContributor> contributors, ObjectMapper json) {
        this.probes = probes;
        this.registry = registry;
        this.identity = identity;
        this.contributors = contributors.stream().toList();
        this.json = json;
    }

    void install(@Observes ManagementInterface management) {
        management.router().get(PATH).handler(this::handle);
    }

    void handle(RoutingContext context) {
        // the registry reads through Hibernate Reactive, which needs a duplicated context marked safe
        Context duplicated = VertxContext.getOrCreateDuplicatedContext(Vertx.currentContext());
        duplicated.runOnContext(ignored -> {
            VertxContextSafetyToggle.setCurrentContextSafe(true);
            detailed().subscribe().with(health -> {
                try {
                    String body = json.writeValueAsString(health);
                    context.response().setStatusCode("UP".equals(health.status()) ? 200 : 503)
                            .putHeader("Content-Type", "application/json").end(body);
                } catch (JsonProcessingException e) {
                    context.fail(e);
                }
            }, context::fail);
        });
    }

    /** The answer's shape. */
    public record DetailedHealth(String status, String service, String version, String instanceId, OffsetDateTime startedAt,
            long uptimeSeconds, Map<String, ComponentReport> components, List<String> liveInstances) {
    }

    /** The page, UP when PostgreSQL, Redis and every critical contributor are. */
    public Uni<DetailedHealth> detailed() {
        Uni<List<String>> instances = registry.seenWithin(identity.heartbeatInterval().multipliedBy(3))
                .map(rows -> rows.stream().map(row -> row.instanceId).toList())
                .onFailure().recoverWithItem(List.of());
        Uni<List<List<ComponentReport>>> extra = contributors.isEmpty() ? Uni.createFrom().item(List.of())
                : Uni.join().all(contributors.stream().map(ComponentContributor::components).toList())
                        .andCollectFailures();
        return Uni.combine().all().unis(probes.postgres(), probes.redis(), instances, extra).asTuple().map(found -> {
            Map<String, ComponentReport> components = new LinkedHashMap<>();
            components.put(InfrastructureProbes.POSTGRES, found.getItem1());
            components.put(InfrastructureProbes.REDIS, found.getItem2());
            boolean up = components.values().stream().allMatch(ComponentReport::isUp);
            for (int i = 0; i < contributors.size(); i++) {
                for (ComponentReport report : found.getItem4().get(i)) {
                    components.put(report.name(), report);
                    up &= report.isUp() || !contributors.get(i).critical();
                }
            }
            OffsetDateTime started = registry.startedAt();
            DetailedHealth body = new DetailedHealth(up ? "UP" : "DOWN", identity.serviceName(), identity.version(),
                    identity.instanceId(), started, Duration.between(started, OffsetDateTime.now()).toSeconds(), components,
                    found.getItem3());
            return body;
        });
    }
}
