package io.junoscommander.backup.wal;

import io.junoscommander.backup.config.BackupConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/** PostgreSQL's client tools and how to connect them: the configured folder, else Debian's newest versioned one, else PATH. */
final class PostgresTools {

    private static final Path DEBIAN = Path.of("/usr/lib/postgresql");

    private PostgresTools() {
    }

    static String tool(BackupConfig config, String name) {
        Optional<Path> configured = config.postgres().binDir().map(dir -> dir.resolve(name)).filter(Files::isExecutable);
        if (configured.isPresent()) {
            return configured.get().toString();
        }
        if (Files.isDirectory(DEBIAN)) {
            try (Stream<Path> versions = Files.list(DEBIAN)) {
                Optional<Path> found = versions.map(version -> version.resolve("bin").resolve(name)).filter(Files::isExecutable)
                        .max(Comparator.comparing((Path tool) -> versionOf(tool)));
                if (found.isPresent()) {
                    return found.get().toString();
                }
            } catch (IOException e) {
                // fall back to PATH
            }
        }
        return name;
    }

    private static int versionOf(Path tool) {
        try {
            return Integer.parseInt(tool.getParent().getParent().getFileName().toString());
        } catch (NumberFormatException e) {
            return 0;
        }
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

    /** The environment a child tool gets: the backup role's password, and nothing that would point libpq elsewhere. */
    static void environment(BackupConfig config, Map<String, String> environment) {
        environment.keySet().removeIf(key -> key.startsWith("PG"));
        config.postgres().password().filter(password -> !password.isEmpty()).ifPresent(password -> environment.put("PGPASSWORD", password));
    }
}
