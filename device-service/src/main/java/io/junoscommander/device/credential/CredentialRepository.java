package io.junoscommander.device.credential;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** SQL for the {@code device.credential} table, through PgBouncer. */
@ApplicationScoped
public class CredentialRepository {

    private static final String COLUMNS =
            "id, name, username, key_id, password_secret, private_key_secret, passphrase_secret, created_at, updated_at";

    private final Pool pool;

    CredentialRepository(Pool pool) {
        this.pool = pool;
    }

    public Uni<List<Credential>> list() {
        return pool.query("SELECT " + COLUMNS + " FROM device.credential ORDER BY name").execute().map(CredentialRepository::all);
    }

    public Uni<Optional<Credential>> find(UUID id) {
        return pool.preparedQuery("SELECT " + COLUMNS + " FROM device.credential WHERE id = $1").execute(Tuple.of(id))
                .map(rows -> all(rows).stream().findFirst());
    }

    /** The credentials among {@code ids}, in one query (a fan-out's devices share a few). */
    public Uni<List<Credential>> findAll(List<UUID> ids) {
        return pool.preparedQuery("SELECT " + COLUMNS + " FROM device.credential WHERE id = ANY($1::uuid[])")
                .execute(Tuple.of(ids.toArray(UUID[]::new))).map(CredentialRepository::all);
    }

    public Uni<Optional<Credential>> findByName(SqlClient client, String name) {
        return client.preparedQuery("SELECT " + COLUMNS + " FROM device.credential WHERE name = $1").execute(Tuple.of(name))
                .map(rows -> all(rows).stream().findFirst());
    }

    public Uni<Credential> insert(Credential c) {
        return pool.preparedQuery("INSERT INTO device.credential (id, name, username, key_id, password_secret, private_key_secret, "
                + "passphrase_secret) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING " + COLUMNS)
                .execute(Tuple.tuple(List.of(c.id(), c.name(), c.username(), c.keyId())).addValue(buffer(c.passwordSecret()))
                        .addValue(buffer(c.privateKeySecret())).addValue(buffer(c.passphraseSecret())))
                .map(rows -> all(rows).get(0));
    }

    public Uni<Optional<Credential>> update(SqlClient client, Credential c) {
        return client.preparedQuery("UPDATE device.credential SET name = $2, username = $3, key_id = $4, password_secret = $5, "
                + "private_key_secret = $6, passphrase_secret = $7, updated_at = now() WHERE id = $1 RETURNING " + COLUMNS)
                .execute(Tuple.tuple(List.of(c.id(), c.name(), c.username(), c.keyId())).addValue(buffer(c.passwordSecret()))
                        .addValue(buffer(c.privateKeySecret())).addValue(buffer(c.passphraseSecret())))
                .map(rows -> all(rows).stream().findFirst());
    }

    public Uni<Boolean> delete(UUID id) {
        return pool.preparedQuery("DELETE FROM device.credential WHERE id = $1").execute(Tuple.of(id))
                .map(rows -> rows.rowCount() == 1);
    }

    public Uni<Long> devicesUsing(UUID id) {
        return pool.preparedQuery("SELECT count(*) FROM device.device WHERE credential_id = $1").execute(Tuple.of(id))
                .map(rows -> rows.iterator().next().getLong(0));
    }

    /** Rows not under {@code keyId}, locked so two re-encryptions never race. */
    public Uni<List<Credential>> lockNotUnderKey(SqlClient client, String keyId) {
        return client.preparedQuery("SELECT " + COLUMNS + " FROM device.credential WHERE key_id <> $1 ORDER BY id FOR UPDATE")
                .execute(Tuple.of(keyId)).map(CredentialRepository::all);
    }

    private static io.vertx.core.buffer.Buffer buffer(byte[] bytes) {
        return bytes == null ? null : io.vertx.core.buffer.Buffer.buffer(bytes);
    }

    private static byte[] bytes(Row row, String column) {
        var value = row.getBuffer(column);
        return value == null ? null : value.getBytes();
    }

    private static List<Credential> all(io.vertx.mutiny.sqlclient.RowSet<Row> rows) {
        List<Credential> found = new ArrayList<>();
        for (Row row : rows) {
            found.add(new Credential(row.getUUID("id"), row.getString("name"), row.getString("username"), row.getString("key_id"),
                    bytes(row, "password_secret"), bytes(row, "private_key_secret"), bytes(row, "passphrase_secret"),
                    row.getOffsetDateTime("created_at"), row.getOffsetDateTime("updated_at")));
        }
        return found;
    }
}
