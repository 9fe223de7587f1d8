package io.junoscommander.backup.wal;

import io.junoscommander.backup.config.BackupConfig;
import io.quarkus.runtime.ShutdownEvent;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.Tuple;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.SslMode;
import io.vertx.sqlclient.PoolOptions;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.Optional;

/**
 * PostgreSQL itself (not PgBouncer), logged in as the backup role: the replication view of the receiver's own WAL sender
 * is readable only by the role that owns it, and switching WAL or ending a stale WAL sender are server functions. Calls
 * block; they run on worker threads.
 */
@ApplicationScoped
public class ReplicationServer {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final BackupConfig config;
    private final Vertx vertx;
    private volatile Pool pool;
    private volatile long segmentSize;

    ReplicationServer(BackupConfig config, Vertx vertx) {
        this.config = config;
        this.vertx = vertx;
    }

    /** What the server knows about the receiver: its slot and, while it streams, its WAL sender's positions and lags. */
    public record ReceiverPosition(String currentLsn, boolean slotExists, boolean streaming, String writeLsn, String flushLsn,
            String syncState, Long lagBytes, Long flushLagBytes, Double writeLagSeconds, Double flushLagSeconds, String restartLsn,
            Long slotLagBytes) {
    }

    public ReceiverPosition position(String slot) {
        RowSet<Row> rows = query("""
                SELECT pg_current_wal_lsn()::text AS current_lsn, s.slot_name IS NOT NULL AS slot_exists, r.pid IS NOT NULL AS streaming,
                       r.write_lsn::text AS write_lsn, r.flush_lsn::text AS flush_lsn, r.sync_state,
                       pg_wal_lsn_diff(pg_current_wal_lsn(), r.write_lsn)::bigint AS lag_bytes,
                       pg_wal_lsn_diff(pg_current_wal_lsn(), r.flush_lsn)::bigint AS flush_lag_bytes,
                       extract(epoch FROM r.write_lag)::float8 AS write_lag, extract(epoch FROM r.flush_lag)::float8 AS flush_lag,
                       s.restart_lsn::text AS restart_lsn, pg_wal_lsn_diff(pg_current_wal_lsn(), s.restart_lsn)::bigint AS slot_lag_bytes
                FROM (SELECT 1) one
                LEFT JOIN pg_replication_slots s ON s.slot_name = $1
                LEFT JOIN pg_stat_replication r ON r.pid = s.active_pid
                """, Tuple.of(slot));
        Row row = rows.iterator().next();
        return new ReceiverPosition(row.getString("current_lsn"), row.getBoolean("slot_exists"), row.getBoolean("streaming"),
                row.getString("write_lsn"), row.getString("flush_lsn"), row.getString("sync_state"), row.getLong("lag_bytes"),
                row.getLong("flush_lag_bytes"), row.getDouble("write_lag"), row.getDouble("flush_lag"), row.getString("restart_lsn"),
                row.getLong("slot_lag_bytes"));
    }

    /**
     * Ends the WAL sender that streams {@code slot} to someone else: a receiver a replica left behind (it crashed, or lost
     * its lease while partitioned) would otherwise keep the slot busy. Returns whether one was ended.
     */
    public boolean endOtherStreamOn(String slot) {
        RowSet<Row> rows = query("SELECT pg_terminate_backend(active_pid) AS ended FROM pg_replication_slots WHERE slot_name = $1"
                + " AND active_pid IS NOT NULL", Tuple.of(slot));
        return rows.iterator().hasNext() && Boolean.TRUE.equals(rows.iterator().next().getBoolean("ended"));
    }

    /**
     * {@code pg_switch_wal()}: closes the segment being written so it can be archived whole; returns the name of the segment
     * it closed (the one the switch record ends). Needs superuser or {@code GRANT EXECUTE ON FUNCTION pg_switch_wal()}.
     */
    public String switchWal() {
        return query("SELECT pg_walfile_name(pg_switch_wal()) AS segment", Tuple.tuple()).iterator().next().getString("segment");
    }

    /** The server's {@code wal_segment_size} in bytes (16 MiB unless initdb chose otherwise). */
    public long segmentSize() {
        if (segmentSize == 0) {
            Row row = query("SELECT setting::bigint AS size, unit FROM pg_settings WHERE name = 'wal_segment_size'", Tuple.tuple())
                    .iterator().next();
            long size = row.getLong("size");
            segmentSize = "8kB".equals(row.getString("unit")) ? size * 8192 : size;
        }
        return segmentSize;
    }

    /** The segment size if it is known already, else PostgreSQL's default (no round trip: for paths that must not block). */
    public long segmentSizeOrDefault() {
        return segmentSize == 0 ? WalNames.DEFAULT_SEGMENT_SIZE : segmentSize;
    }

    private RowSet<Row> query(String sql, Tuple arguments) {
        return pool().preparedQuery(sql).execute(arguments).await().atMost(TIMEOUT);
    }

    private Pool pool() {
        Pool current = pool;
        if (current == null) {
            synchronized (this) {
                if (pool == null) {
                    BackupConfig.Postgres postgres = config.postgres();
                    PgConnectOptions connect = new PgConnectOptions().setHost(postgres.host()).setPort(postgres.port())
                            .setDatabase(postgres.database()).setUser(postgres.user()).setPassword(postgres.password().orElse(""))
                            .setSslMode(SslMode.of(postgres.sslMode())).setCachePreparedStatements(false)
                            .addProperty("application_name", "backup-service-monitor")
                            // without a metrics name the client's meters would be exported as m__*
                            .setMetricsName("postgresql.backup.role");
                    // the same checks libpq makes for the backup tools: chain to DB_SSL_ROOT_CERT, host name with verify-full
                    postgres.sslRootCert().map(String::strip).filter(path -> !path.isEmpty())
                            .ifPresent(path -> connect.setTrustOptions(new PemTrustOptions().addCertPath(path)));
                    if (connect.getSslMode() == SslMode.VERIFY_FULL) {
                        connect.setHostnameVerificationAlgorithm("HTTPS");
                    }
                    PoolOptions options = new PoolOptions().setMaxSize(2).setIdleTimeout(60).setName("backup-role");
                    pool = Pool.newInstance(PgBuilder.pool().with(options).connectingTo(connect).using(vertx.getDelegate()).build());
                }
                current = pool;
            }
        }
        return current;
    }

    void close(@Observes ShutdownEvent event) {
        Optional.ofNullable(pool).ifPresent(Pool::closeAndForget);
    }
}
