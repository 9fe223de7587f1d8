package io.junoscommander.backup.wal;

import io.junoscommander.backup.config.BackupConfig;
import io.junoscommander.backup.postgres.PgConnection;
import io.junoscommander.backup.postgres.PgTools;
import java.util.LinkedHashMap;
import java.util.Map;

/** How the WAL receiver runs PostgreSQL's client tools: where they are, the connection string, the environment. */
final class PostgresTools {

    private PostgresTools() {
    }

    /** The program's path, found where the backup handlers find theirs ({@link PgTools#locate}). */
    static String tool(BackupConfig config, String name) {
        return PgTools.locate(config.postgres().binDir()).bin(name);
    }

    /** A libpq connection string for the backup role; the password never goes here (it goes in {@code PGPASSWORD}). */
    static String connectionString(BackupConfig config, String applicationName) {
        BackupConfig.Postgres postgres = config.postgres();
        Map<String, String> parts = new LinkedHashMap<>();
        parts.put("host", postgres.host());
        parts.put("port", Integer.toString(postgres.port()));
        parts.put("user", postgres.user());
        parts.put("dbname", postgres.database());
        parts.put("sslmode", postgres.sslMode());
        parts.put("application_name", applicationName);
        StringBuilder text = new StringBuilder();
        parts.forEach((key, value) -> text.append(text.isEmpty() ? "" : " ").append(key).append("='")
                .append(value.replace("\\", "\\\\").replace("'", "\\'")).append('\''));
        return text.toString();
    }

    /** The environment a child tool gets: the backup role's connection settings, and nothing that would point libpq elsewhere. */
    static void environment(BackupConfig config, Map<String, String> environment) {
        environment.keySet().removeIf(key -> key.startsWith("PG"));
        environment.putAll(PgConnection.of(config.postgres()).environment());
    }
}
