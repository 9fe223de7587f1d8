package io.junoscommander.task.schedule;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.OffsetDateTime;
import java.util.Map;
import java.util.UUID;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/** A row of {@code task.schedule}; the API shows it as a {@link ScheduleView}. */
@Entity
@Table(name = "schedule")
public class ScheduleEntity extends PanacheEntityBase {

    @Id
    public UUID id;

    @Column(nullable = false, unique = true)
    public String name;

    @Column(nullable = false)
    public String cron;

    @Column(nullable = false)
    public String timezone;

    @Column(nullable = false)
    public boolean enabled;

    /** The task request each fire submits. */
    @JdbcTypeCode(SqlTypes.JSON)
    @Column(nullable = false)
    public Map<String, Object> template;

    @Column(name = "next_fire_at")
    public OffsetDateTime nextFireAt;

    @Column(name = "last_fired_at")
    public OffsetDateTime lastFiredAt;

    @Column(name = "created_by", nullable = false)
    public String createdBy;

    @Column(name = "created_at", nullable = false)
    public OffsetDateTime createdAt;

    @Column(name = "updated_at", nullable = false)
    public OffsetDateTime updatedAt;

    /** What the API may change; the fire times, who created it and when stay. */
    void apply(ScheduleView changes) {
        name = changes.name();
        cron = changes.cron();
        timezone = changes.timezone();
        enabled = changes.enabled();
        template = changes.template();
        nextFireAt = changes.nextFireAt();
    }

    ScheduleView view() {
        return new ScheduleView(id, name, cron, timezone, enabled, template == null ? Map.of() : template, nextFireAt, lastFiredAt,
                createdBy, createdAt, updatedAt);
    }
}
