package io.junoscommander.backup.postgres;

import io.junoscommander.backup.catalog.BackupKind;
import io.junoscommander.backup.config.BackupConfig;
import io.junoscommander.backup.run.BackupHandler;
import io.junoscommander.backup.run.BackupJob;
import io.junoscommander.backup.run.BackupResult;
import jakarta.enterprise.context.ApplicationScoped;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Logical dumps: one {@code pg_dump -Fc} per non-system schema ({@code <schema>.dump}), each read back with
 * {@code pg_restore --list} as its verification, so one schema can be restored on its own.
 */
@ApplicationScoped
public class PostgresLogicalBackup implements BackupHandler {

    public static final String SUFFIX = ".dump";
    private static final Duration TIMEOUT = Duration.ofHours(6);

    private final BackupConfig config;

    PostgresLogicalBackup(BackupConfig config) {
        this.config = config;
    }

    @Override
    public BackupKind kind() {
        return BackupKind.POSTGRES_LOGICAL;
    }

    @Override
    public BackupResult run(BackupJob job) throws Exception {
        PgTools tools = PgTools.locate(config.postgres().binDir());
        PgConnection connection = PgConnection.of(config.postgres());
        OffsetDateTime startedAt = OffsetDateTime.now(ZoneOffset.UTC);
        DatabaseFacts facts = DatabaseFacts.read(tools, connection);
        Map<String, Object> dumps = new LinkedHashMap<>();
        long start = System.nanoTime();
        for (String schema : facts.schemas().keySet()) {
            Path dump = job.workDir().resolve(objectName(schema));
            List<String> command = new ArrayList<>(List.of(tools.bin("pg_dump")));
            command.addAll(connection.arguments());
            // a quoted pattern matches exactly this schema, whatever characters its name has
            command.addAll(List.of("-d", connection.database(), "-Fc", "-n", quoted(schema), "-f", dump.toString()));
            tools.run(command, connection.environment(), TIMEOUT);
            String listing = tools.run(List.of(tools.bin("pg_restore"), "--list", dump.toString()), Map.of(), TIMEOUT).output();
            long entries = listing.lines().filter(line -> !line.startsWith(";") && !line.isBlank()).count();
            job.store(objectName(schema), dump);
            dumps.put(schema, Map.of("object", objectName(schema), "entries", entries));
        }
        OffsetDateTime consistentAt = DatabaseFacts.serverTime(tools, connection);
        Map<String, Object> details = new LinkedHashMap<>(facts.asDetails());
        details.put("database", connection.database());
        details.put("dumps", dumps);
        details.put("dumpSeconds", PostgresFullBackup.round(PostgresFullBackup.seconds(start)));
        BackupResult result = new BackupResult(true, null, null, consistentAt, details);
        PostgresFullBackup.storeDescriptor(job, startedAt, result);
        return result;
    }

    /** The object a schema's dump is stored as; names that are not plain words are URL-encoded so they stay one key segment. */
    public static String objectName(String schema) {
        return URLEncoder.encode(schema, StandardCharsets.UTF_8) + SUFFIX;
    }

    static String quoted(String identifier) {
        return "\"" + identifier.replace("\"", "\"\"") + "\"";
    }
}
