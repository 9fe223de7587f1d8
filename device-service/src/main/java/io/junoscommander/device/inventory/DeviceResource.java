package io.junoscommander.device.inventory;

import io.junoscommander.support.problem.ProblemException;
import io.junoscommander.support.security.Roles;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.IntStream;

/** {@code /api/v1/devices}: the inventory. Viewers read; admins change it. */
@Path("/api/v1/devices")
@Produces(MediaType.APPLICATION_JSON)
public class DeviceResource {

    static final int MAX_PAGE_SIZE = 1000;

    private final DeviceRepository repository;
    private final DeviceService service;

    DeviceResource(DeviceRepository repository, DeviceService service) {
        this.repository = repository;
        this.service = service;
    }

    @GET
    @RolesAllowed(Roles.VIEWER)
    public Uni<DevicePage> list(@QueryParam("tag") List<String> tags, @QueryParam("platform") String platform,
            @QueryParam("site") String site, @QueryParam("namePrefix") String namePrefix, @QueryParam("enabled") String enabled,
            @QueryParam("page") @DefaultValue("0") String page, @QueryParam("size") @DefaultValue("100") String size) {
        int pageNumber = intParam("page", page, 0, Integer.MAX_VALUE / MAX_PAGE_SIZE);
        int pageSize = intParam("size", size, 1, MAX_PAGE_SIZE);
        Boolean enabledFilter = enabled == null ? null : booleanParam("enabled", enabled);
        return repository.page(new DeviceFilter(tags == null ? List.of() : tags, platform, site, namePrefix, enabledFilter), pageNumber,
                pageSize);
    }

    @GET
    @Path("/{id}")
    @RolesAllowed(Roles.VIEWER)
    public Uni<Device> get(@PathParam("id") UUID id) {
        return repository.find(id).map(found -> found.orElseThrow(() -> ProblemException.notFound("device " + id)));
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed(Roles.ADMIN)
    public Uni<Response> create(@NotNull DeviceRequest request) {
        return service.create(request)
                .map(created -> Response.created(URI.create("/api/v1/devices/" + created.id())).entity(created).build());
    }

    @PUT
    @Path("/{id}")
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed(Roles.ADMIN)
    public Uni<Device> replace(@PathParam("id") UUID id, @NotNull DeviceRequest request) {
        return service.replace(id, request);
    }

    @DELETE
    @Path("/{id}")
    @RolesAllowed(Roles.ADMIN)
    public Uni<Response> delete(@PathParam("id") UUID id) {
        return service.delete(id).replaceWith(Response.noContent().build());
    }

    /** Bulk import, JSON array: all or nothing; every bad element is reported with its 1-based position as line. */
    @POST
    @Path("/import")
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed(Roles.ADMIN)
    public Uni<DeviceService.ImportResult> importJson(@NotNull List<DeviceRequest> devices,
            @QueryParam("updateExisting") @DefaultValue("false") String updateExisting) {
        List<Integer> lines = new ArrayList<>(IntStream.rangeClosed(1, devices.size()).boxed().toList());
        return service.importDevices(devices, lines, booleanParam("updateExisting", updateExisting));
    }

    /** Bulk import, CSV with a header row: all or nothing; every bad row is reported with its line number. */
    @POST
    @Path("/import")
    @Consumes({"text/csv", MediaType.TEXT_PLAIN})
    @RolesAllowed(Roles.ADMIN)
    public Uni<DeviceService.ImportResult> importCsv(String csv,
            @QueryParam("updateExisting") @DefaultValue("false") String updateExisting) {
        return service.importCsv(csv, booleanParam("updateExisting", updateExisting));
    }

    static int intParam(String name, String value, int min, int max) {
        try {
            int parsed = Integer.parseInt(value.strip());
            if (parsed < min || parsed > max) {
                throw ProblemException.badRequest(name, "must be between " + min + " and " + max);
            }
            return parsed;
        } catch (NumberFormatException e) {
            throw ProblemException.badRequest(name, "must be a whole number");
        }
    }

    static boolean booleanParam(String name, String value) {
        return switch (value.strip().toLowerCase(java.util.Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw ProblemException.badRequest(name, "must be true or false");
        };
    }
}
