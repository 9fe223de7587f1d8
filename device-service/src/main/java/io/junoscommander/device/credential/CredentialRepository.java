package io.junoscommander.device.credential;

import io.junoscommander.support.persistence.Rows;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.panache.common.Sort;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.UnaryOperator;

/**
 * The {@code device.credential} table: create, read, replace, delete and re-encrypt through {@link CredentialEntity}
 * (Hibernate Reactive Panache, through PgBouncer). A fan-out's secrets stay one plain query ({@link #findAll}): it runs on
 * every command to many devices, from whichever thread resolves them, where a Hibernate Reactive session (event loop only)
 * would add work and a thread constraint for nothing.
 */
@ApplicationScoped
public class CredentialRepository {

    private static final String COLUMNS =
            "id, name, username, key_id, password_secret, private_key_secret, passphrase_secret, created_at, updated_at";

    private final Pool pool;

    CredentialRepository(Pool pool) {
        this.pool = pool;
    }

    public Uni<List<Credential>> list() {
        return Panache.withSession(() -> CredentialEntity.<CredentialEntity>listAll(Sort.by("name")))
                .map(all -> all.stream().map(CredentialEntity::credential).toList());
    }

    public Uni<Optional<Credential>> find(UUID id) {
        return Panache.withSession(() -> CredentialEntity.<CredentialEntity>findById(id))
                .map(found -> Optional.ofNullable(found).map(CredentialEntity::credential));
    }

    /** The credentials among {@code ids}, in one query (a fan-out's devices share a few). */
    public Uni<List<Credential>> findAll(List<UUID> ids) {
        return pool.preparedQuery("SELECT " + COLUMNS + " FROM device.credential WHERE id = ANY($1::uuid[])")
                .execute(Tuple.of(ids.toArray(UUID[]::new))).map(rows -> {
                    List<Credential> found = new ArrayList<>();
                    for (Row row : rows) {
                        found.add(new Credential(row.getUUID("id"), row.getString("name"), row.getString("username"),
                                row.getString("key_id"), bytes(row, "password_secret"), bytes(row, "private_key_secret"),
                                bytes(row, "passphrase_secret"), row.getOffsetDateTime("created_at"), row.getOffsetDateTime("updated_at")));
                    }
                    return found;
                });
    }

    public Uni<Credential> insert(Credential sealed) {
        return Panache.withTransaction(() -> {
            CredentialEntity credential = new CredentialEntity();
            credential.id = sealed.id();
            credential.apply(sealed);
            credential.createdAt = Rows.now();
            credential.updatedAt = credential.createdAt;
            return credential.persist().map(saved -> credential.credential());
        });
    }

    /** The row is locked until the transaction ends, so concurrent replacements (and a re-encryption) queue. */
    public Uni<Optional<Credential>> update(Credential sealed) {
        return Panache.withTransaction(() -> CredentialEntity.<CredentialEntity>findById(sealed.id(), LockModeType.PESSIMISTIC_WRITE)
                .map(credential -> {
                    if (credential == null) {
                        return Optional.<Credential>empty();
                    }
                    credential.apply(sealed);
                    credential.updatedAt = Rows.now();
                    return Optional.of(credential.credential());
                }));
    }

    public Uni<Boolean> delete(UUID id) {
        return Panache.withTransaction(() -> CredentialEntity.deleteById(id));
    }

    public Uni<Long> devicesUsing(UUID id) {
        return pool.preparedQuery("SELECT count(*) FROM device.device WHERE credential_id = $1").execute(Tuple.of(id))
                .map(rows -> rows.iterator().next().getLong(0));
    }

    /**
     * In one transaction, every credential not under {@code keyId}, locked in id order (two re-encryptions never race),
     * replaced by what {@code reseal} makes of it; answers how many moved.
     */
    public Uni<Integer> resealNotUnderKey(String keyId, UnaryOperator<Credential> reseal) {
        return Panache.withTransaction(() -> CredentialEntity.<CredentialEntity>find("keyId <> ?1", Sort.by("id"), keyId)
                .withLock(LockModeType.PESSIMISTIC_WRITE).list().flatMap(stale -> Multi.createFrom().iterable(stale)
                        .invoke(credential -> {
                            credential.apply(reseal.apply(credential.credential()));
                            credential.updatedAt = Rows.now();
                        }).collect().asList().map(List::size)));
    }

    private static byte[] bytes(Row row, String column) {
        var value = row.getBuffer(column);
        return value == null ? null : value.getBytes();
    }
}
