package io.junoscommander.support.problem;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * An RFC 9457 problem detail: every error leaves every service in this shape, with a stable {@code type}, a human
 * {@code detail}, the request id to quote, and for validation errors the offending fields. Never a stack trace.
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record Problem(String type, String title, int status, String detail, String instance, String requestId,
        List<FieldError> errors) {

    public static final String MEDIA_TYPE = "application/problem+json";
    private static final String TYPE_PREFIX = "urn:junoscommander:problem:";

    /**
     * One invalid input: the field (JSON path or parameter name), what is wrong with it, and for bulk input (CSV or JSON
     * arrays) the 1-based line or element it came from.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record FieldError(String field, String message, Integer line) {
        public FieldError(String field, String message) {
            this(field, message, null);
        }
    }

    public static String type(String slug) {
        return TYPE_PREFIX + slug;
    }
}
