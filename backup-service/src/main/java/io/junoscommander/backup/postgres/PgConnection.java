package io.junoscommander.backup.postgres;

import io.junoscommander.backup.config.BackupConfig;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * How the PostgreSQL client tools reach the server directly (never PgBouncer: replication protocol and pg_dump need a
 * session). The password travels in the child's environment ({@code PGPASSWORD}), never on a command line; so do the TLS
 * settings ({@code PGSSLMODE}, {@code PGSSLROOTCERT}), which libpq reads from there.
 */
public record PgConnection(String host, int port, String database, String user, Optional<String> password, String sslMode,
        Optional<String> sslRootCert) {

    public static PgConnection of(BackupConfig.Postgres config) {
        return new PgConnection(config.host(), config.port(), config.database(), config.user(), config.password().filter(p -> !p.isBlank()),
                config.sslMode(), config.sslRootCert().map(String::strip).filter(path -> !path.isEmpty()));
    }

    /** {@code -h host -p port -U user}. */
    public List<String> arguments() {
        return List.of("-h", host, "-p", Integer.toString(port), "-U", user);
    }

    public Map<String, String> environment() {
        Map<String, String> env = new HashMap<>();
        password.ifPresent(p -> env.put("PGPASSWORD", p));
        env.put("PGSSLMODE", sslMode);
        sslRootCert.ifPresent(path -> env.put("PGSSLROOTCERT", path));
        env.put("PGCONNECT_TIMEOUT", "10");
        env.put("PGAPPNAME", "junoscommander-backup");
        return env;
    }

    /** For messages: where, never the password. */
    @Override
    public String toString() {
        return user + "@" + host + ":" + port + "/" + database;
    }
}
