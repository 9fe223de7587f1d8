package io.junoscommander.support.requestid;

import io.vertx.core.http.HttpServerRequest;
import java.util.UUID;
import java.util.regex.Pattern;

/** The {@code X-Request-Id} rules: a caller's id is kept when it is sane, otherwise one is generated. */
public final class RequestIds {

    public static final String HEADER = "X-Request-Id";
    /** MDC key; the JSON and console log formats print it. */
    public static final String MDC_KEY = "requestId";

    // printable, short and without separators that could forge log lines or headers
    private static final Pattern ACCEPTED = Pattern.compile("[A-Za-z0-9._:@/+=-]{1,128}");

    private RequestIds() {
    }

    /** The caller's id if acceptable, else a new random one. */
    public static String acceptOrGenerate(String offered) {
        return offered != null && ACCEPTED.matcher(offered).matches() ? offered : UUID.randomUUID().toString();
    }

    /** The id of a request that went through {@link RequestIdHandler}. */
    public static String of(HttpServerRequest request) {
        String id = request.getHeader(HEADER);
        return id != null ? id : "unknown";
    }
}
