package io.junoscommander.gateway.audit;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** The audit log in {@code gateway.audit_event}. */
@ApplicationScoped
public class AuditRepository {

    private final Pool pool;

    AuditRepository(Pool pool) {
        this.pool = pool;
    }

    public Uni<Void> insert(AuditEvent e) {
        return pool.preparedQuery("INSERT INTO gateway.audit_event (occurred_at, actor, role, credential, action, method, target, status, "
                + "result, request_id, client_address) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)")
                .execute(Tuple.from(Arrays.asList(e.occurredAt(), e.actor(), e.role(), e.credential(), e.action(), e.method(), e.target(),
                        e.status(), e.result(), e.requestId(), e.clientAddress())))
                .replaceWithVoid();
    }

    /** Filters (each optional) and a page, newest first. */
    public record Query(String actor, String action, String result, String requestId, String targetPrefix, OffsetDateTime since,
            OffsetDateTime until, int limit, int offset) {
    }

    /** One page and how many match in all. */
    public record Page(List<AuditEvent> items, long total, int limit, int offset) {
    }

    public Uni<Page> find(Query q) {
        String where = " WHERE ($1::text IS NULL OR actor = $1) AND ($2::text IS NULL OR action = $2) AND ($3::text IS NULL OR result = $3)"
                + " AND ($4::text IS NULL OR request_id = $4) AND ($5::text IS NULL OR starts_with(target, $5))"
                + " AND ($6::timestamptz IS NULL OR occurred_at >= $6) AND ($7::timestamptz IS NULL OR occurred_at < $7)";
        List<Object> args = Arrays.asList(q.actor(), q.action(), q.result(), q.requestId(), q.targetPrefix(), q.since(), q.until());
        List<Object> paged = new ArrayList<>(args);
        paged.add(q.limit());
        paged.add(q.offset());
        Uni<List<AuditEvent>> items = pool.preparedQuery("SELECT * FROM gateway.audit_event" + where
                + " ORDER BY occurred_at DESC, id DESC LIMIT $8 OFFSET $9").execute(Tuple.from(paged)).map(rows -> {
                    List<AuditEvent> events = new ArrayList<>();
                    rows.forEach(row -> events.add(AuditEvent.from(row)));
                    return events;
                });
        Uni<Long> total = pool.preparedQuery("SELECT count(*) AS n FROM gateway.audit_event" + where).execute(Tuple.from(args))
                .map(rows -> rows.iterator().next().getLong("n"));
        return Uni.combine().all().unis(items, total).asTuple().map(t -> new Page(t.getItem1(), t.getItem2(), q.limit(), q.offset()));
    }
}
