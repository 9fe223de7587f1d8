package io.junoscommander.backup.wal;

import io.junoscommander.support.config.ServiceIdentity;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.Optional;
import java.util.function.Function;

/**
 * Which replica runs the WAL receiver of a slot: a row with an owner and an expiry, renewed by its owner and taken over by
 * another replica once it expired. Times are the database's, so replicas' clocks need not agree. PgBouncer's transaction
 * mode rules out session advisory locks, and a row also says who holds it.
 */
@ApplicationScoped
public class ReceiverLease {

    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    private final Pool database;
    private final String table;
    private final String owner;

    ReceiverLease(Pool database, ServiceIdentity identity) {
        this.database = database;
        this.table = "\"" + identity.schema() + "\".wal_receiver_lease";
        this.owner = identity.instanceId();
    }

    /** The lease as the API shows it. */
    public record Holder(String owner, OffsetDateTime acquiredAt, OffsetDateTime expiresAt, boolean expired) {
    }

    public String owner() {
        return owner;
    }

    /**
     * Takes the lease of {@code slot} when it is free or expired, or renews it when this replica holds it; returns whether
     * this replica holds it for {@code leaseTime} from now.
     */
    public boolean acquireOrRenew(String slot, Duration leaseTime) {
        return withoutStandbyWait(database, connection -> connection.preparedQuery("INSERT INTO " + table
                + " AS lease (slot, owner, acquired_at, expires_at)"
                + " VALUES ($1, $2, now(), now() + $3 * interval '1 millisecond')"
                + " ON CONFLICT (slot) DO UPDATE SET owner = EXCLUDED.owner, expires_at = EXCLUDED.expires_at,"
                + " acquired_at = CASE WHEN lease.owner = EXCLUDED.owner THEN lease.acquired_at ELSE now() END"
                + " WHERE lease.owner = EXCLUDED.owner OR lease.expires_at < now() RETURNING owner")
                .execute(Tuple.of(slot, owner, leaseTime.toMillis()))).await().atMost(TIMEOUT).iterator().hasNext();
    }

    /** Hands the lease back (on shutdown), so another replica takes over at once instead of after the expiry. */
    public void release(String slot) {
        withoutStandbyWait(database, connection -> connection.preparedQuery("DELETE FROM " + table + " WHERE slot = $1 AND owner = $2")
                .execute(Tuple.of(slot, owner))).await().atMost(TIMEOUT);
    }

    /**
     * Runs {@code work} in a transaction whose commit does not wait for synchronous standbys. In synchronous mode the
     * receiver is the standby every commit waits for; its own lease and archive rows must not wait for it, or a stopped
     * receiver could never be started again.
     */
    static <T> Uni<T> withoutStandbyWait(Pool database, Function<SqlConnection, Uni<T>> work) {
        return database.withTransaction(connection -> connection.query("SET LOCAL synchronous_commit = local").execute()
                .chain(() -> work.apply(connection)));
    }

    public Uni<Optional<Holder>> holder(String slot) {
        return database.preparedQuery("SELECT owner, acquired_at, expires_at, expires_at < now() AS expired FROM " + table
                + " WHERE slot = $1").execute(Tuple.of(slot)).map(rows -> {
                    if (!rows.iterator().hasNext()) {
                        return Optional.<Holder>empty();
                    }
                    Row row = rows.iterator().next();
                    return Optional.of(new Holder(row.getString("owner"), row.getOffsetDateTime("acquired_at"),
                            row.getOffsetDateTime("expires_at"), row.getBoolean("expired")));
                });
    }
}
