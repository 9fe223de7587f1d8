package io.junoscommander.gateway.audit;

import io.junoscommander.support.problem.ProblemException;
import io.junoscommander.support.security.Roles;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** {@code GET /api/v1/audit}: the audit log, newest first, for admins. */
@Path("/api/v1/audit")
@RolesAllowed(Roles.ADMIN)
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "audit", description = "Who did what (admin)")
public class AuditResource {

    private final AuditRepository repository;

    AuditResource(AuditRepository repository) {
        this.repository = repository;
    }

    @GET
    @Operation(summary = "Audit events (admin), filtered by actor, action, result (success|failure|denied), requestId, target prefix, "
            + "since/until (ISO-8601); paged with limit (1-500, default 50) and offset")
    public Uni<AuditRepository.Page> find(@QueryParam("actor") String actor, @QueryParam("action") String action,
            @QueryParam("result") String result, @QueryParam("requestId") String requestId, @QueryParam("target") String target,
            @QueryParam("since") String since, @QueryParam("until") String until, @QueryParam("limit") String limit,
            @QueryParam("offset") String offset) {
        return repository.find(new AuditRepository.Query(blank(actor), blank(action), blank(result), blank(requestId), blank(target),
                time("since", since), time("until", until), number("limit", limit, 50, 1, 500), number("offset", offset, 0, 0,
                        Integer.MAX_VALUE)));
    }

    private static String blank(String value) {
        return value == null || value.isBlank() ? null : value;
    }

    private static OffsetDateTime time(String field, String value) {
        if (blank(value) == null) {
            return null;
        }
        try {
            return OffsetDateTime.parse(value);
        } catch (DateTimeParseException e) {
            throw ProblemException.badRequest(field, "must be an ISO-8601 time with offset, e.g. 2026-01-31T12:00:00Z");
        }
    }

    private static int number(String field, String value, int fallback, int min, int max) {
        if (blank(value) == null) {
            return fallback;
        }
        try {
            int n = Integer.parseInt(value.strip());
            if (n < min || n > max) {
                throw ProblemException.badRequest(field, "must be between " + min + " and " + max);
            }
            return n;
        } catch (NumberFormatException e) {
            throw ProblemException.badRequest(field, "must be a whole number");
        }
    }
}
