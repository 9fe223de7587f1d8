package io.junoscommander.gateway.audit;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.OffsetDateTime;

/** A row of {@code gateway.audit_event}; the API shows it as an {@link AuditEvent}. */
@Entity
@Table(name = "audit_event")
public class AuditEventEntity extends PanacheEntityBase {

    /** bigserial: PostgreSQL numbers the rows (INSERT … RETURNING id). */
    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @Column(name = "occurred_at", nullable = false)
    public OffsetDateTime occurredAt;

    @Column(nullable = false)
    public String actor;

    public String role;

    public String credential;

    @Column(nullable = false)
    public String action;

    @Column(nullable = false)
    public String method;

    @Column(nullable = false)
    public String target;

    @Column(nullable = false)
    public int status;

    @Column(nullable = false)
    public String result;

    @Column(name = "request_id", nullable = false)
    public String requestId;

    @Column(name = "client_address")
    public String clientAddress;

    static AuditEventEntity of(AuditEvent event) {
        AuditEventEntity row = new AuditEventEntity();
        row.occurredAt = event.occurredAt();
        row.actor = event.actor();
        row.role = event.role();
        row.credential = event.credential();
        row.action = event.action();
        row.method = event.method();
        row.target = event.target();
        row.status = event.status();
        row.result = event.result();
        row.requestId = event.requestId();
        row.clientAddress = event.clientAddress();
        return row;
    }

    AuditEvent view() {
        return new AuditEvent(id, occurredAt, actor, role, credential, action, method, target, status, result, requestId, clientAddress);
    }
}
