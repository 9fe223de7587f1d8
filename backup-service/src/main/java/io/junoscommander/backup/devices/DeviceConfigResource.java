package io.junoscommander.backup.devices;

import io.junoscommander.support.problem.ProblemException;
import io.junoscommander.support.security.Roles;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.UUID;

/**
 * Device configuration history for viewers: devices, versions, one version's content, diffs, the push ledger, what changed
 * since a time (who, when, through which request and task) and which devices fail to answer. Its literal prefix is longer
 * than the catalog's {@code /api/v1/backups/{id}}, so {@code /api/v1/backups/devices/...} always lands here.
 */
@Path("/api/v1/backups/devices")
@Produces(MediaType.APPLICATION_JSON)
public class DeviceConfigResource {

    private static final int MAX_PAGE = 1000;

    private final DeviceConfigHistory history;

    DeviceConfigResource(DeviceConfigHistory history) {
        this.history = history;
    }

    @GET
    @RolesAllowed(Roles.VIEWER)
    public Uni<DeviceConfigViews.DevicePage> devices(@QueryParam("page") @DefaultValue("0") String page,
            @QueryParam("size") @DefaultValue("100") String size) {
        int pageNumber = intParam("page", page, 0, Integer.MAX_VALUE / MAX_PAGE);
        int pageSize = intParam("size", size, 1, MAX_PAGE);
        return history.devices(pageNumber, pageSize).flatMap(states -> history.deviceCount().map(total -> new DeviceConfigViews.DevicePage(
                states.stream().map(DeviceConfigViews.DeviceView::of).toList(), total, pageNumber, pageSize)));
    }

    /** Configuration changes since {@code since} (ISO-8601; default the last 24 hours), newest first. */
    @GET
    @Path("/changes")
    @RolesAllowed(Roles.VIEWER)
    public Uni<List<DeviceConfigHistory.VersionSummary>> changes(@QueryParam("since") String since,
            @QueryParam("limit") @DefaultValue("100") String limit) {
        OffsetDateTime from = since == null ? OffsetDateTime.now(ZoneOffset.UTC).minusDays(1) : time("since", since);
        return history.changes(from, intParam("limit", limit, 1, MAX_PAGE));
    }

    /** Devices whose last fetch failed, with the error kind, most recent attempt first. */
    @GET
    @Path("/failures")
    @RolesAllowed(Roles.VIEWER)
    public Uni<List<DeviceConfigViews.DeviceView>> failures(@QueryParam("limit") @DefaultValue("1000") String limit) {
        return history.failures(intParam("limit", limit, 1, 10_000))
                .map(states -> states.stream().map(DeviceConfigViews.DeviceView::of).toList());
    }

    @GET
    @Path("/{deviceId}/versions")
    @RolesAllowed(Roles.VIEWER)
    public Uni<DeviceConfigViews.VersionPage> versions(@PathParam("deviceId") String deviceId,
            @QueryParam("page") @DefaultValue("0") String page, @QueryParam("size") @DefaultValue("50") String size) {
        UUID id = uuid(deviceId);
        int pageNumber = intParam("page", page, 0, Integer.MAX_VALUE / MAX_PAGE);
        int pageSize = intParam("size", size, 1, MAX_PAGE);
        return known(id).flatMap(state -> history.versions(id, pageNumber, pageSize).flatMap(items -> history.versionCount(id)
                .map(total -> new DeviceConfigViews.VersionPage(id, state.deviceName, items, total, pageNumber, pageSize))));
    }

    /** One version: JSON with the content, or the content alone as {@code text/plain} when the caller prefers it. */
    @GET
    @Path("/{deviceId}/versions/{version}")
    @Produces({MediaType.APPLICATION_JSON, MediaType.TEXT_PLAIN})
    @RolesAllowed(Roles.VIEWER)
    public Uni<Response> version(@PathParam("deviceId") String deviceId, @PathParam("version") String version,
            @Context HttpHeaders headers) {
        UUID id = uuid(deviceId);
        int number = intParam("version", version, 1, Integer.MAX_VALUE);
        return known(id).flatMap(state -> history.version(id, number)).map(found -> found.orElseThrow(() -> ProblemException.notFound(
                "version " + number + " of device " + id))).map(v -> prefersText(headers)
                        ? Response.ok(v.content, MediaType.TEXT_PLAIN_TYPE.withCharset("UTF-8")).build()
                        : Response.ok(DeviceConfigViews.VersionView.of(v), MediaType.APPLICATION_JSON_TYPE).build());
    }

    /** Unified diff between two versions; by default the newest against the one before it. */
    @GET
    @Path("/{deviceId}/diff")
    @Produces({MediaType.APPLICATION_JSON, MediaType.TEXT_PLAIN})
    @RolesAllowed(Roles.VIEWER)
    public Uni<Response> diff(@PathParam("deviceId") String deviceId, @QueryParam("from") String from, @QueryParam("to") String to,
            @Context HttpHeaders headers) {
        UUID id = uuid(deviceId);
        Integer fromNumber = from == null ? null : intParam("from", from, 1, Integer.MAX_VALUE);
        Integer toNumber = to == null ? null : intParam("to", to, 1, Integer.MAX_VALUE);
        if (fromNumber != null && toNumber != null && fromNumber > toNumber) {
            throw ProblemException.badRequest("from", "from (" + fromNumber + ") must not be after to (" + toNumber + ")");
        }
        return known(id).flatMap(state -> {
            if (state.latestVersion == 0) {
                throw ProblemException.notFound("configuration versions of device " + id);
            }
            int target = toNumber == null ? state.latestVersion : toNumber;
            if (fromNumber != null && fromNumber > target) {
                throw ProblemException.badRequest("from", "from (" + fromNumber + ") must not be after to (" + target + ")");
            }
            return history.version(id, target).map(found -> found.orElseThrow(() -> ProblemException.notFound("version " + target
                    + " of device " + id))).flatMap(newer -> (fromNumber == null ? history.previous(id, target)
                            : history.version(id, fromNumber).map(found -> found.or(() -> {
                                throw ProblemException.notFound("version " + fromNumber + " of device " + id);
                            }))).map(older -> {
                                String fromLabel = older.map(o -> label(o)).orElse("/dev/null");
                                String before = older.map(o -> o.content).orElse("");
                                String text = LineDiff.unified(fromLabel, before, label(newer), newer.content);
                                LineDiff.Counts counts = LineDiff.counts(before, newer.content);
                                if (prefersText(headers)) {
                                    return Response.ok(text, MediaType.TEXT_PLAIN_TYPE.withCharset("UTF-8")).build();
                                }
                                return Response.ok(new DeviceConfigViews.DiffView(id, newer.deviceName, older.map(o -> o.version)
                                        .orElse(null), newer.version, counts.added(), counts.removed(), text),
                                        MediaType.APPLICATION_JSON_TYPE).build();
                            }));
        });
    }

    /** The push ledger of one device: every committed push, who, through which request and task, newest first. */
    @GET
    @Path("/{deviceId}/pushes")
    @RolesAllowed(Roles.VIEWER)
    public Uni<List<DeviceConfigViews.PushView>> pushes(@PathParam("deviceId") String deviceId,
            @QueryParam("page") @DefaultValue("0") String page, @QueryParam("size") @DefaultValue("50") String size) {
        UUID id = uuid(deviceId);
        int pageNumber = intParam("page", page, 0, Integer.MAX_VALUE / MAX_PAGE);
        int pageSize = intParam("size", size, 1, MAX_PAGE);
        return known(id).flatMap(state -> history.pushes(id, pageNumber, pageSize))
                .map(pushes -> pushes.stream().map(DeviceConfigViews.PushView::of).toList());
    }

    private Uni<DeviceFetchState> known(UUID id) {
        return history.state(id).map(found -> found.orElseThrow(() -> ProblemException.notFound("configuration history of device " + id)));
    }

    private static String label(DeviceConfigVersion version) {
        return version.deviceName + " version " + version.version + " (" + version.fetchedAt + ")";
    }

    /** text/plain only when the caller ranks it above JSON; no Accept, or a wildcard, answers JSON. */
    static boolean prefersText(HttpHeaders headers) {
        for (MediaType type : headers.getAcceptableMediaTypes()) {
            if (type.isCompatible(MediaType.APPLICATION_JSON_TYPE) && !type.isWildcardType()) {
                return false;
            }
            if (type.getType().equals("text") && (type.getSubtype().equals("plain") || type.isWildcardSubtype())) {
                return true;
            }
            if (type.isWildcardType()) {
                return false;
            }
        }
        return false;
    }

    private static UUID uuid(String value) {
        try {
            return UUID.fromString(value);
        } catch (IllegalArgumentException e) {
            throw ProblemException.badRequest("deviceId", "a device id (UUID)");
        }
    }

    private static int intParam(String name, String value, int min, int max) {
        try {
            int parsed = Integer.parseInt(value.strip());
            if (parsed >= min && parsed <= max) {
                return parsed;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw ProblemException.badRequest(name, "a whole number from " + min + " to " + max);
    }

    private static OffsetDateTime time(String name, String value) {
        // a '+' offset arrives as a space when the caller did not encode it
        String text = value.strip().replace(' ', '+');
        try {
            return OffsetDateTime.parse(text);
        } catch (DateTimeParseException e) {
            throw ProblemException.badRequest(name, "an ISO-8601 time with offset, e.g. 2026-01-31T12:00:00Z");
        }
    }
}
