package io.junoscommander.backup.restore;

import com.fasterxml.jackson.databind.JsonNode;
import io.junoscommander.backup.config.BackupConfig;
import io.junoscommander.support.problem.Problem;
import io.junoscommander.support.problem.ProblemException;
import io.junoscommander.support.security.Roles;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.common.annotation.Blocking;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.nio.file.Files;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

/** Restores (admin) and re-verification (operator) of PostgreSQL backups. */
@Path("/api/v1/backups")
@Produces(MediaType.APPLICATION_JSON)
@Blocking
public class RestoreResource {

    private static final Set<String> FIELDS = Set.of("target", "targetTime", "schema", "dataDirectory", "start", "keepRunning", "port");
    private static final Pattern SCHEMA = Pattern.compile("[A-Za-z_][A-Za-z0-9_$]{0,62}");
    /** Paths handed to pg_ctl's option string and to restore_command: plain characters only. */
    private static final Pattern SAFE_PATH = Pattern.compile("(/[A-Za-z0-9._-]+)+");

    private final RestoreService restores;
    private final BackupConfig config;
    private final SecurityIdentity identity;

    RestoreResource(RestoreService restores, BackupConfig config, SecurityIdentity identity) {
        this.restores = restores;
        this.config = config;
        this.identity = identity;
    }

    @POST
    @Path("/{id}/restore")
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed(Roles.ADMIN)
    public Response restore(@PathParam("id") String id, JsonNode body) throws Exception {
        RestoreRequest request = parse(body);
        RestoreRun run = restores.start(id, request, identity.getPrincipal().getName());
        // a relative Location (a header, not location(), which makes it absolute with this service's own address): clients reach
        // the service through the gateway, at the same path
        return Response.accepted(RestoreView.of(run)).header("Location", "/api/v1/backups/restores/" + run.id).build();
    }

    @GET
    @Path("/restores/{restoreId}")
    @RolesAllowed(Roles.ADMIN)
    public RestoreView restoreStatus(@PathParam("restoreId") UUID restoreId) throws Exception {
        return RestoreView.of(restores.find(restoreId));
    }

    /** Re-reads the backup's objects; 200 with the outcome (which the catalog also records), whether intact or not. */
    @POST
    @Path("/{id}/verify")
    @RolesAllowed(Roles.OPERATOR)
    public BackupVerifier.Report verify(@PathParam("id") UUID id) throws Exception {
        return restores.verify(id);
    }

    RestoreRequest parse(JsonNode body) {
        if (body == null || !body.isObject()) {
            throw ProblemException.badRequest("body", "a JSON object");
        }
        List<Problem.FieldError> errors = new ArrayList<>();
        for (Iterator<String> names = body.fieldNames(); names.hasNext();) {
            String name = names.next();
            if (!FIELDS.contains(name)) {
                errors.add(new Problem.FieldError(name, "unknown field; known: target, targetTime, schema, dataDirectory, start,"
                        + " keepRunning, port"));
            }
        }
        String schema = text(body, "schema", errors);
        if (schema != null && !SCHEMA.matcher(schema).matches()) {
            errors.add(new Problem.FieldError("schema", "a schema name (letters, digits, _ and $, at most 63)"));
        }
        String target = text(body, "target", errors);
        if (target == null) {
            target = RestoreRequest.LATEST;
        } else if (!RestoreRequest.LATEST.equals(target) && !RestoreRequest.TIME.equals(target)) {
            errors.add(new Problem.FieldError("target", "'latest' or 'time'"));
        }
        OffsetDateTime targetTime = null;
        String time = text(body, "targetTime", errors);
        if (RestoreRequest.TIME.equals(target) && time == null) {
            errors.add(new Problem.FieldError("targetTime", "required when target is 'time' (ISO-8601 with offset, e.g."
                    + " 2026-12-01T02:00:00Z)"));
        } else if (time != null && !RestoreRequest.TIME.equals(target)) {
            errors.add(new Problem.FieldError("targetTime", "only with target 'time'"));
        } else if (time != null) {
            try {
                targetTime = OffsetDateTime.parse(time);
            } catch (DateTimeParseException e) {
                errors.add(new Problem.FieldError("targetTime", "ISO-8601 with offset, e.g. 2026-12-01T02:00:00Z"));
            }
        }
        if (schema != null && RestoreRequest.TIME.equals(target)) {
            errors.add(new Problem.FieldError("target", "a schema is restored from a logical dump as it was dumped; no point in time"));
        }
        Boolean start = bool(body, "start", errors);
        Boolean keepRunning = bool(body, "keepRunning", errors);
        boolean starts = Boolean.TRUE.equals(start) || schema != null;
        if (Boolean.TRUE.equals(keepRunning) && !starts) {
            errors.add(new Problem.FieldError("keepRunning", "only with start: true"));
        }
        Integer port = null;
        if (body.has("port")) {
            JsonNode value = body.get("port");
            if (!value.isInt() || value.asInt() < 1024 || value.asInt() > 65535) {
                errors.add(new Problem.FieldError("port", "an integer between 1024 and 65535"));
            } else if (!starts) {
                errors.add(new Problem.FieldError("port", "only with start: true"));
            } else {
                port = value.asInt();
            }
        }
        java.nio.file.Path dataDirectory = null;
        String directory = text(body, "dataDirectory", errors);
        if (directory != null) {
            dataDirectory = dataDirectory(directory, errors);
        }
        if (!errors.isEmpty()) {
            throw ProblemException.invalid(errors.get(0).field() + ": " + errors.get(0).message(), errors);
        }
        if (targetTime != null && targetTime.isAfter(OffsetDateTime.now(ZoneOffset.UTC))) {
            throw new ProblemException(422, "target-in-future", "Target time in the future", "the target time " + targetTime
                    + " has not happened yet", List.of(new Problem.FieldError("targetTime", "not in the future")));
        }
        if (port != null && !ScratchServer.portFree(port)) {
            throw new ProblemException(409, "port-in-use", "Port in use", "port " + port + " is in use on this host",
                    List.of(new Problem.FieldError("port", "in use")));
        }
        return new RestoreRequest(target, targetTime, schema, dataDirectory, Boolean.TRUE.equals(start), port,
                Boolean.TRUE.equals(keepRunning));
    }

    private java.nio.file.Path dataDirectory(String value, List<Problem.FieldError> errors) {
        if (value.length() > 200 || !SAFE_PATH.matcher(value).matches() || value.contains("/../") || value.endsWith("/..")
                || value.contains("/./")) {
            errors.add(new Problem.FieldError("dataDirectory", "an absolute path of letters, digits, '.', '_' and '-' (at most 200)"));
            return null;
        }
        java.nio.file.Path path = java.nio.file.Path.of(value).normalize();
        java.nio.file.Path storage = config.dir().toAbsolutePath().normalize();
        if (path.startsWith(storage) || storage.startsWith(path)) {
            errors.add(new Problem.FieldError("dataDirectory", "must not be inside (or contain) the backup directory"));
            return null;
        }
        try {
            if (Files.exists(path) && (!Files.isDirectory(path) || hasEntries(path))) {
                errors.add(new Problem.FieldError("dataDirectory", "must be new: missing or an empty folder"));
                return null;
            }
        } catch (java.io.IOException e) {
            errors.add(new Problem.FieldError("dataDirectory", "cannot be read"));
            return null;
        }
        return path;
    }

    private static boolean hasEntries(java.nio.file.Path dir) throws java.io.IOException {
        try (var entries = Files.list(dir)) {
            return entries.findAny().isPresent();
        }
    }

    private static String text(JsonNode body, String field, List<Problem.FieldError> errors) {
        JsonNode value = body.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual() || value.asText().isBlank()) {
            errors.add(new Problem.FieldError(field, "a non-empty string"));
            return null;
        }
        return value.asText();
    }

    private static Boolean bool(JsonNode body, String field, List<Problem.FieldError> errors) {
        JsonNode value = body.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isBoolean()) {
            errors.add(new Problem.FieldError(field, "true or false"));
            return null;
        }
        return value.asBoolean();
    }
}
