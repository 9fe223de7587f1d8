package io.junoscommander.support.problem;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import io.junoscommander.support.input.NulCharacterGuard;
import io.junoscommander.support.input.StrictJsonCustomizer;
import io.junoscommander.support.requestid.RequestIds;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.HttpServerRequest;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.ConstraintViolationException;
import jakarta.validation.ElementKind;
import jakarta.validation.Path;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * The one place exceptions become HTTP answers, for every resource of every service. Messages of unexpected exceptions
 * stay in the log (with the request id); the caller gets the request id to quote.
 */
public class ProblemMappers {

    private static final Logger LOG = Logger.getLogger(ProblemMappers.class);

    private static final Map<Integer, String[]> STATUS_PROBLEMS = Map.ofEntries(
            Map.entry(400, new String[] {"bad-request", "Bad request", "The request is malformed"}),
            Map.entry(401, new String[] {"unauthorized", "Unauthorized", "Credentials are missing or invalid"}),
            Map.entry(403, new String[] {"forbidden", "Forbidden", "Your role does not allow this"}),
            Map.entry(404, new String[] {"not-found", "Not found", "No resource at this path"}),
            Map.entry(405, new String[] {"method-not-allowed", "Method not allowed", "This path does not accept this method"}),
            Map.entry(406, new String[] {"not-acceptable", "Not acceptable", "No representation matches the Accept header"}),
            Map.entry(409, new String[] {"conflict", "Conflict", "The request conflicts with the current state"}),
            Map.entry(413, new String[] {"payload-too-large", "Payload too large", "The request body is too large"}),
            Map.entry(415, new String[] {"unsupported-media-type", "Unsupported media type", "Send application/json"}),
            Map.entry(429, new String[] {"rate-limited", "Too many requests", "Slow down and retry later"}),
            Map.entry(503, new String[] {"unavailable", "Service unavailable", "Try again later"}));

    @ServerExceptionMapper
    public Response problem(ProblemException e, HttpServerRequest request) {
        return respond(new Problem(Problem.type(e.slug()), e.title(), e.status(), e.getMessage(), request.path(),
                RequestIds.of(request), e.errors()), Map.copyOf(e.headers()));
    }

    @ServerExceptionMapper
    public Response webApplication(WebApplicationException e, HttpServerRequest request) {
        if (e.getCause() instanceof JsonProcessingException json) {
            // quarkus-rest-jackson wraps a body it cannot parse in a 400
            return malformedJson(json, request);
        }
        Response original = e.getResponse();
        int status = original == null ? 500 : original.getStatus();
        if (status >= 500) {
            return unexpected(e, request);
        }
        String[] known = STATUS_PROBLEMS.getOrDefault(status, new String[] {"http-" + status, "HTTP " + status, "Request refused"});
        String detail = known[2];
        if (status == 404) {
            detail = "No resource at " + request.path();
        } else if (status == 405) {
            detail = request.method() + " is not allowed on " + request.path();
        }
        Map<String, Object> headers = original == null ? Map.of()
                : original.getHeaders().entrySet().stream()
                        .filter(h -> h.getKey().equalsIgnoreCase("Allow") || h.getKey().equalsIgnoreCase("Retry-After"))
                        .collect(Collectors.toMap(Map.Entry::getKey, h -> h.getValue().get(0)));
        return respond(new Problem(Problem.type(known[0]), known[1], status, detail, request.path(), RequestIds.of(request), List.of()),
                headers);
    }

    /** No internal token, or one that fails verification: 401 (the gateway mints one for every call it routes). */
    @ServerExceptionMapper({UnauthorizedException.class, AuthenticationFailedException.class})
    public Response unauthenticated(HttpServerRequest request) {
        return respond(new Problem(Problem.type("unauthorized"), "Unauthorized", 401,
                "A valid credential is required; call through the gateway", request.path(), RequestIds.of(request), List.of()),
                Map.of("WWW-Authenticate", "Bearer"));
    }

    @ServerExceptionMapper
    public Response forbidden(ForbiddenException e, HttpServerRequest request) {
        return respond(new Problem(Problem.type("forbidden"), "Forbidden", 403, "Your role does not allow " + request.method() + " "
                + request.path(), request.path(), RequestIds.of(request), List.of()), Map.of());
    }

    @ServerExceptionMapper
    public Response constraintViolation(ConstraintViolationException e, HttpServerRequest request) {
        boolean returnValue = e.getConstraintViolations().stream().anyMatch(v -> lastNode(v.getPropertyPath()) == ElementKind.RETURN_VALUE);
        if (returnValue) {
            return unexpected(e, request);
        }
        List<Problem.FieldError> errors = e.getConstraintViolations().stream()
                .map(v -> new Problem.FieldError(fieldName(v), v.getMessage()))
                .sorted(Comparator.comparing(Problem.FieldError::field)).toList();
        String detail = errors.stream().map(error -> error.field() + ": " + error.message()).collect(Collectors.joining("; "));
        return respond(new Problem(Problem.type("validation"), "Invalid request", 400, detail, request.path(), RequestIds.of(request),
                errors), Map.of());
    }

    @ServerExceptionMapper
    public Response malformedJson(JsonProcessingException e, HttpServerRequest request) {
        String detail;
        List<Problem.FieldError> errors = List.of();
        if (e instanceof JsonMappingException mapping && !mapping.getPath().isEmpty()) {
            String field = mapping.getPath().stream()
                    .map(ref -> ref.getFieldName() != null ? ref.getFieldName() : "[" + ref.getIndex() + "]")
                    .collect(Collectors.joining(".")).replace(".[", "[");
            if (NulCharacterGuard.MESSAGE.equals(mapping.getOriginalMessage())) {
                detail = field + ": " + NulCharacterGuard.MESSAGE;
                errors = List.of(new Problem.FieldError(field, NulCharacterGuard.MESSAGE));
            } else {
                detail = "The JSON body has a value of the wrong type or shape at '" + field + "'";
                errors = List.of(new Problem.FieldError(field, "wrong type or shape"));
            }
        } else if (e instanceof StreamConstraintsException) {
            detail = e.getOriginalMessage().contains("nesting depth")
                    ? "The JSON body is nested deeper than " + StrictJsonCustomizer.MAX_NESTING_DEPTH + " arrays and objects"
                    : "The JSON body exceeds a parser limit";
        } else if (e.getLocation() != null) {
            detail = "The body is not valid JSON (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")";
        } else {
            detail = "The body is not valid JSON";
        }
        return respond(new Problem(Problem.type("malformed-request"), "Malformed request", 400, detail, request.path(),
                RequestIds.of(request), errors), Map.of());
    }

    /** Declared for the subtype too, else the Jackson extension's own mapper (plain JSON, not problem+json) wins. */
    @ServerExceptionMapper
    public Response mismatchedInput(MismatchedInputException e, HttpServerRequest request) {
        return malformedJson(e, request);
    }

    @ServerExceptionMapper(priority = Integer.MAX_VALUE)
    public Response unexpected(Throwable e, HttpServerRequest request) {
        String requestId = RequestIds.of(request);
        if (connectionClosed(e)) {
            // the caller (or the gateway, cutting off a body over its limit) left while the body was read: nobody gets this
            // answer, and it is no fault of the service's, so no error in the log and no 5xx in the metrics
            LOG.debugf("connection closed while reading the body of %s %s (request %s)", request.method(), request.path(), requestId);
            return respond(new Problem(Problem.type("incomplete-request"), "Incomplete request", 400,
                    "The connection closed before the request body was complete", request.path(), requestId, List.of()), Map.of());
        }
        LOG.errorf(e, "unexpected error on %s %s (request %s)", request.method(), request.path(), requestId);
        return respond(new Problem(Problem.type("internal"), "Internal error", 500,
                "An unexpected error occurred; quote request id " + requestId + " when reporting it", request.path(), requestId,
                List.of()), Map.of());
    }

    private static boolean connectionClosed(Throwable e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
            if (cause instanceof HttpClosedException) {
                return true;
            }
        }
        return false;
    }

    private static Response respond(Problem problem, Map<String, Object> headers) {
        Response.ResponseBuilder builder = Response.status(problem.status()).type(Problem.MEDIA_TYPE).entity(problem);
        headers.forEach(builder::header);
        return builder.build();
    }

    /** Bean properties as a dotted path ("devices[3].port"); a plain parameter (query, path) by its own name. */
    private static String fieldName(ConstraintViolation<?> violation) {
        StringBuilder property = new StringBuilder();
        String parameter = null;
        for (Path.Node node : violation.getPropertyPath()) {
            if (node.getKind() == ElementKind.PARAMETER) {
                parameter = node.getName();
            } else if (node.getKind() == ElementKind.PROPERTY) {
                if (!property.isEmpty()) {
                    property.append('.');
                }
                property.append(node.getName());
                if (node.getIndex() != null) {
                    property.append('[').append(node.getIndex()).append(']');
                }
            } else if (node.getKind() == ElementKind.CONTAINER_ELEMENT && !property.isEmpty()) {
                // a constraint on an element (List<@CliCommand String>): which element, as in a JSON path
                if (node.getIndex() != null) {
                    property.append('[').append(node.getIndex()).append(']');
                } else if (node.getKey() != null) {
                    property.append('[').append(node.getKey()).append(']');
                }
            }
        }
        if (!property.isEmpty()) {
            return property.toString();
        }
        return parameter != null ? parameter : "request";
    }

    private static ElementKind lastNode(Path path) {
        ElementKind kind = null;
        for (Path.Node node : path) {
            kind = node.getKind();
        }
        return kind;
    }
}
