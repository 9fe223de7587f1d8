package io.junoscommander.gateway.audit;

import java.time.OffsetDateTime;

/** One audited request: who (and with which role and credential), what, on what, the result, the request id, when. */
public record AuditEvent(Long id, OffsetDateTime occurredAt, String actor, String role, String credential, String action,
        String method, String target, int status, String result, String requestId, String clientAddress) {
}
