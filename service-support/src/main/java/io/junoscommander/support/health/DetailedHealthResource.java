package io.junoscommander.support.health;

import io.junoscommander.support.config.ServiceIdentity;
import io.junoscommander.support.instance.InstanceRegistry;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.PermitAll;
import jakarta.enterprise.inject.Instance;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code /health/detailed}: one page for an operator: who answers (service, version, replica, uptime), each dependency
 * with its response time and pool figures, and which replicas of the service reported recently. 503 when a dependency
 * is down, like readiness.
 */
@Path("/health/detailed")
@PermitAll
public class DetailedHealthResource {

    private final InfrastructureProbes probes;
    private final InstanceRegistry registry;
    private final ServiceIdentity identity;
    private final List<ComponentContributor> contributors;

    DetailedHealthResource(InfrastructureProbes probes, InstanceRegistry registry, ServiceIdentity identity,
            Instance<ComponentContributor> contributors) {
        this.probes = probes;
        this.registry = registry;
        this.identity = identity;
        this.contributors = contributors.stream().toList();
    }

    /** The answer's shape. */
    public record DetailedHealth(String status, String service, String version, String instanceId, OffsetDateTime startedAt,
            long uptimeSeconds, Map<String, ComponentReport> components, List<String> liveInstances) {
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<Response> detailed() {
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
            return Response.status(up ? 200 : 503).entity(body).build();
        });
    }
}
