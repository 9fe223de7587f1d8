package io.junoscommander.backup.postgres;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a backup records about the database so a restore can be checked later: version, size, the bootstrap superuser
 * (a scratch server is queried as it), and every non-system schema with the exact row count of each of its tables.
 */
public record DatabaseFacts(String version, long sizeBytes, String superuser, long walSegmentSize, Map<String, Map<String, Long>> schemas) {

    /** Schemas that belong to PostgreSQL itself, not to a service. */
    public static final String USER_SCHEMAS = "n.nspname NOT IN ('information_schema') AND n.nspname NOT LIKE 'pg\\_%'";

    static final Duration QUERY_TIMEOUT = Duration.ofMinutes(30);

    /** Reads the facts of {@code connection.database()} as the backup role. */
    public static DatabaseFacts read(PgTools tools, PgConnection connection) {
        List<String> target = database(connection);
        List<String> general = tools.query(target, connection.environment(), "SELECT current_setting('server_version'),"
                + " pg_database_size(current_database()), (SELECT rolname FROM pg_roles WHERE oid = 10),"
                + " pg_size_bytes(current_setting('wal_segment_size'))", QUERY_TIMEOUT).get(0);
        return new DatabaseFacts(general.get(0), Long.parseLong(general.get(1)), general.get(2), Long.parseLong(general.get(3)),
                rowCounts(tools, target, connection.environment()));
    }

    /** Every user schema (empty ones too) with the exact row count of each ordinary table. */
    public static Map<String, Map<String, Long>> rowCounts(PgTools tools, List<String> target, Map<String, String> environment) {
        Map<String, Map<String, Long>> schemas = new LinkedHashMap<>();
        for (List<String> row : tools.query(target, environment, "SELECT n.nspname FROM pg_namespace n WHERE " + USER_SCHEMAS
                + " ORDER BY 1", QUERY_TIMEOUT)) {
            schemas.put(row.get(0), new LinkedHashMap<>());
        }
        // one statement counts every table: query_to_xml runs a count per table inside the server
        String counts = "SELECT n.nspname, c.relname, (xpath('/row/c/text()', query_to_xml(format('SELECT count(*) AS c FROM %I.%I',"
                + " n.nspname, c.relname), false, true, '')))[1]::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                + " WHERE c.relkind = 'r' AND " + USER_SCHEMAS + " ORDER BY 1, 2";
        for (List<String> row : tools.query(target, environment, counts, QUERY_TIMEOUT)) {
            schemas.computeIfAbsent(row.get(0), s -> new LinkedHashMap<>()).put(row.get(1), Long.parseLong(row.get(2)));
        }
        return schemas;
    }

    /** The server's clock now (restore targets are compared with commit times on that clock). */
    public static OffsetDateTime serverTime(PgTools tools, PgConnection connection) {
        String now = tools.query(database(connection), connection.environment(),
                "SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')", QUERY_TIMEOUT).get(0).get(0);
        return OffsetDateTime.parse(now);
    }

    public static List<String> database(PgConnection connection) {
        List<String> target = new ArrayList<>(connection.arguments());
        target.add("-d");
        target.add(connection.database());
        return target;
    }

    /** For the catalog's details column (JSON). */
    public Map<String, Object> asDetails() {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("postgresVersion", version);
        details.put("databaseSizeBytes", sizeBytes);
        details.put("superuser", superuser);
        details.put("schemas", schemas);
        return details;
    }
}
