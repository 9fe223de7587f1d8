package io.junoscommander.support.metrics;

import io.agroal.api.AgroalDataSource;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

/**
 * The JDBC (Agroal) pool exists only for Flyway, which migrates over a direct PostgreSQL connection before the service
 * starts. Left alone, the pool would keep that connection open until its idle removal (past PgBouncer, counting against
 * PostgreSQL's {@code max_connections} once per replica). Flyway has finished when {@link StartupEvent} fires, so every
 * connection is closed here; with {@code min-size=0} and nothing else borrowing, the pool stays empty
 * ({@code agroal_available_count} and {@code agroal_active_count} read 0 on {@code /metrics}).
 */
@ApplicationScoped
public class MigrationPoolRelease {

    private static final Logger LOG = Logger.getLogger(MigrationPoolRelease.class);

    void closeMigrationConnections(@Observes StartupEvent started, AgroalDataSource migrations) {
        migrations.flush(AgroalDataSource.FlushMode.ALL);
        LOG.debug("closed the migration connections of the JDBC pool");
    }
}
