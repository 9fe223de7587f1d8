package io.junoscommander.gateway.audit;

import io.vertx.mutiny.sqlclient.Row;
import java.time.OffsetDateTime;

/** One audited request: who (and with which role and credential), what, on what, the result, the request id, when. */
public record AuditEvent(Long id, OffsetDateTime occurredAt, String actor, String role, String credential, String action,
        String method, String target, int status, String result, String requestId, String clientAddress) {

    static AuditEvent from(Row row) {
        return new AuditEvent(row.getLong("id"), row.getOffsetDateTime("occurred_at"), row.getString("actor"), row.getString("role"),
                row.getString("credential"), row.getString("action"), row.getString("method"), row.getString("target"),
                row.getInteger("status"), row.getString("result"), row.getString("request_id"), row.getString("client_address"));
    }
}
