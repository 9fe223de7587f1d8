package io.junoscommander.device.inventory;

import io.junoscommander.support.problem.ProblemException;
import io.junoscommander.support.security.Roles;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * {@code POST /api/v1/devices/resolve}: which devices a target selector means right now (task-service freezes the answer
 * on a task). Explicit ids that do not exist are listed, not dropped.
 */
@Path("/api/v1/devices/resolve")
public class TargetResource {

    private final DeviceRepository repository;

    TargetResource(DeviceRepository repository) {
        this.repository = repository;
    }

    /** Explicit ids, or filters (all given must match), or everything. */
    public record TargetSelector(@Size(max = 10_000) List<UUID> deviceIds, List<String> tags, String platform, String site, Boolean all) {
    }

    /** A resolved device, as much as a caller needs to plan work on it. */
    public record ResolvedDevice(UUID id, String name, String platform, boolean enabled, boolean hasCredential) {
    }

    /** The answer. */
    public record Resolution(List<ResolvedDevice> devices, List<UUID> unknownIds) {
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    @RolesAllowed(Roles.VIEWER)
    public Uni<Resolution> resolve(@NotNull TargetSelector selector) {
        boolean hasIds = selector.deviceIds() != null && !selector.deviceIds().isEmpty();
        boolean hasFilter = selector.tags() != null && !selector.tags().isEmpty() || selector.platform() != null
                || selector.site() != null;
        if (!hasIds && !hasFilter && !Boolean.TRUE.equals(selector.all())) {
            throw ProblemException.badRequest("target", "name deviceIds, tags, platform or site, or all: true");
        }
        if (hasIds) {
            return repository.findAll(selector.deviceIds()).map(found -> {
                Set<UUID> seen = new HashSet<>();
                found.forEach(device -> seen.add(device.id()));
                List<UUID> unknown = selector.deviceIds().stream().filter(id -> !seen.contains(id)).distinct().toList();
                return new Resolution(found.stream().map(TargetResource::resolved).toList(), unknown);
            });
        }
        DeviceFilter filter = new DeviceFilter(selector.tags() == null ? List.of() : selector.tags(), selector.platform(),
                selector.site(), null, null);
        return repository.all(filter).map(found -> new Resolution(found.stream().map(TargetResource::resolved).toList(), List.of()));
    }

    private static ResolvedDevice resolved(Device device) {
        return new ResolvedDevice(device.id(), device.name(), device.platform(), device.enabled(), device.credentialId() != null);
    }
}
