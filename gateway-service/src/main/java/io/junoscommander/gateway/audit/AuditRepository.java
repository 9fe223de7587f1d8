package io.junoscommander.gateway.audit;

import io.junoscommander.support.persistence.Rows;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.quarkus.panache.common.Parameters;
import io.quarkus.panache.common.Sort;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;

/** The audit log in {@code gateway.audit_event} ({@link AuditEventEntity}, Hibernate Reactive Panache). */
@ApplicationScoped
public class AuditRepository {

    @WithTransaction
    public Uni<Void> insert(AuditEvent event) {
        return AuditEventEntity.of(event).persist().replaceWithVoid();
    }

    /** Filters (each optional) and a page, newest first. */
    public record Query(String actor, String action, String result, String requestId, String targetPrefix, OffsetDateTime since,
            OffsetDateTime until, int limit, int offset) {
    }

    /** One page and how many match in all. */
    public record Page(List<AuditEvent> items, long total, int limit, int offset) {
    }

    @WithSession
    public Uni<Page> find(Query q) {
        List<String> conditions = new ArrayList<>();
        Parameters parameters = new Parameters();
        where(conditions, parameters, "actor = :actor", "actor", q.actor());
        where(conditions, parameters, "action = :action", "action", q.action());
        where(conditions, parameters, "result = :result", "result", q.result());
        where(conditions, parameters, "requestId = :requestId", "requestId", q.requestId());
        // starts_with(target, prefix), in HQL
        where(conditions, parameters, "left(target, length(:target)) = :target", "target", q.targetPrefix());
        where(conditions, parameters, "occurredAt >= :since", "since", q.since());
        where(conditions, parameters, "occurredAt < :until", "until", q.until());
        String query = conditions.isEmpty() ? "1 = 1" : String.join(" and ", conditions);
        // one session runs one statement at a time: the page, then the count
        return AuditEventEntity.<AuditEventEntity>find(query, Sort.descending("occurredAt", "id"), parameters)
                .range(q.offset(), Rows.lastIndex(q.offset(), q.limit())).list()
                .flatMap(page -> AuditEventEntity.count(query, parameters).map(total -> new Page(
                        page.stream().map(AuditEventEntity::view).toList(), total, q.limit(), q.offset())));
    }

    private static void where(List<String> conditions, Parameters parameters, String condition, String name, Object value) {
        if (value != null) {
            conditions.add(condition);
            parameters.and(name, value);
        }
    }
}
