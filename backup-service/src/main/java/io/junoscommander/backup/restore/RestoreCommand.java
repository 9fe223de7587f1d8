package io.junoscommander.backup.restore;

import io.junoscommander.backup.postgres.DirectoryWalSource;
import io.junoscommander.backup.postgres.PgTools;
import io.junoscommander.backup.postgres.WalSource;
import io.junoscommander.backup.storage.BackupStorage;
import io.junoscommander.backup.wal.ArchivedWalSource;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The restore an operator runs at 3 a.m. without the services (no CDI, no catalog database): backups are found in the
 * storage itself ({@code backup.json} + {@code SHA256SUMS} per run). Reads the service's environment variables
 * ({@code BACKUP_DIR}, {@code BACKUP_WORK_DIR}, {@code BACKUP_PG_BIN_DIR}). {@code scripts/backup-restore.sh} runs it from
 * the packaged service. Exit codes: 0 done, 1 failed, 2 wrong usage.
 */
public final class RestoreCommand {

    static final String USAGE = """
            usage: backup-restore.sh COMMAND [OPTIONS]
              list                                       PostgreSQL backups in the storage, newest first
              restore --data-dir DIR [--backup ID|latest] [--target latest | --time 2026-12-01T02:30:00Z]
                      [--start [--port P] [--keep-running]] [--wal-dir DIR]
                                                         a full backup into a new data directory; --time picks the newest
                                                         full backup consistent before it; --start checks it on a free port;
                                                         WAL comes from the archive in the storage unless --wal-dir names one
              restore-schema --schema S --data-dir DIR [--backup ID|latest] [--port P] [--keep-running]
                                                         one schema of a logical dump into a fresh scratch server
              verify [--backup ID|latest] [--kind postgres-full|postgres-logical]
                                                         re-read every object (SHA-256) and pg_verifybackup / pg_restore --list
            environment: BACKUP_DIR or BACKUP_S3_BUCKET, BACKUP_S3_ENDPOINT, BACKUP_S3_REGION, BACKUP_S3_PREFIX,
              AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY; BACKUP_ENCRYPTION_KEY; BACKUP_WORK_DIR, BACKUP_PG_BIN_DIR
              (as the backup service reads them)
            """;

    private final CommandSettings settings;
    private final PrintStream out;

    RestoreCommand(Map<String, String> env, PrintStream out) {
        this.settings = CommandSettings.from(env);
        this.out = out;
    }

    public static void main(String[] args) {
        System.exit(new RestoreCommand(System.getenv(), System.out).run(args));
    }

    int run(String[] args) {
        if (args.length == 0 || "help".equals(args[0]) || "--help".equals(args[0])) {
            out.print(USAGE);
            return args.length == 0 ? 2 : 0;
        }
        try {
            Map<String, String> options = options(args);
            return switch (args[0]) {
                case "list" -> list();
                case "restore" -> restore(options);
                case "restore-schema" -> restoreSchema(options);
                case "verify" -> verify(options);
                default -> usage("unknown command " + args[0]);
            };
        } catch (UsageException e) {
            return usage(e.getMessage());
        } catch (Exception e) {
            out.println("FAILED: " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
            return 1;
        }
    }

    /** The storage the service's settings name: the directory or the S3 bucket, decrypted with the key when one is set. */
    static BackupStorage storage(CommandSettings settings) {
        return settings.storage();
    }

    private Path workDir() {
        return settings.workDir();
    }

    private PgTools tools() {
        return PgTools.locate(settings.pgBinDir());
    }

    private int list() throws Exception {
        BackupStorage storage = storage(settings);
        List<BackupDescriptor> backups = new StoredBackups(storage).list();
        out.println("backups in " + storage.describe() + ":");
        out.printf("%-36s  %-16s  %-24s  %-8s  %12s  %s%n", "ID", "KIND", "CONSISTENT AT", "VERIFIED", "BYTES", "WAL START");
        for (BackupDescriptor b : backups) {
            long bytes = b.files().stream().mapToLong(BackupDescriptor.FileEntry::sizeBytes).sum();
            out.printf("%-36s  %-16s  %-24s  %-8s  %12d  %s%n", b.id(), b.kind(), b.consistentAt(), b.verified(), bytes,
                    b.walStart() == null ? "-" : b.walStart());
        }
        return 0;
    }

    private int restore(Map<String, String> options) throws Exception {
        Path dataDir = Path.of(required(options, "data-dir")).toAbsolutePath().normalize();
        OffsetDateTime time = null;
        if (options.containsKey("time")) {
            try {
                time = OffsetDateTime.parse(options.get("time"));
            } catch (DateTimeParseException e) {
                throw new UsageException("--time: ISO-8601 with offset, e.g. 2026-12-01T02:30:00Z");
            }
            if (time.isAfter(OffsetDateTime.now(ZoneOffset.UTC))) {
                throw new UsageException("--time " + time + " is in the future");
            }
        } else if (options.containsKey("target") && !"latest".equals(options.get("target"))) {
            throw new UsageException("--target latest, or --time T for a point in time");
        }
        BackupStorage storage = storage(settings);
        StoredBackups stored = new StoredBackups(storage);
        String id = options.getOrDefault("backup", "latest");
        BackupDescriptor backup;
        if (time != null && "latest".equals(id)) {
            OffsetDateTime target = time;
            backup = StoredBackups.newestBefore(stored.list(), time).orElseThrow(() -> new IllegalStateException(
                    "no verified full backup is consistent at or before " + target));
        } else {
            backup = stored.find(id, "postgres-full").orElseThrow(() -> new IllegalStateException("no postgres-full backup " + id));
        }
        boolean start = options.containsKey("start");
        RestoreOptions restoreOptions = new RestoreOptions(time, start, port(options, start), flag(options, "keep-running", start), false,
                Optional.ofNullable(options.get("wal-dir")).map(dir -> (WalSource) new DirectoryWalSource(Path.of(dir)))
                        .orElseGet(() -> ArchivedWalSource.inStorage(storage)),
                Duration.ofHours(12));
        out.println("restoring " + backup.id() + " (consistent at " + backup.consistentAt() + ")" + (time == null ? " to the latest state"
                : " to " + time));
        RestoreOutcome outcome = new PostgresRestorer(tools(), storage, workDir(), out::println)
                .restoreFull(backup, dataDir, restoreOptions);
        return report(outcome);
    }

    private int restoreSchema(Map<String, String> options) throws Exception {
        String schema = required(options, "schema");
        Path dataDir = Path.of(required(options, "data-dir")).toAbsolutePath().normalize();
        BackupStorage storage = storage(settings);
        String id = options.getOrDefault("backup", "latest");
        BackupDescriptor backup = new StoredBackups(storage).find(id, "postgres-logical")
                .orElseThrow(() -> new IllegalStateException("no postgres-logical backup " + id));
        RestoreOptions restoreOptions = new RestoreOptions(null, true, port(options, true), flag(options, "keep-running", true), false,
                null, Duration.ofHours(12));
        RestoreOutcome outcome = new PostgresRestorer(tools(), storage, workDir(), out::println).restoreSchema(backup, schema, dataDir,
                restoreOptions);
        return report(outcome);
    }

    private int verify(Map<String, String> options) throws Exception {
        BackupStorage storage = storage(settings);
        String id = options.getOrDefault("backup", "latest");
        String kind = options.getOrDefault("kind", "postgres-full");
        BackupDescriptor backup = new StoredBackups(storage).find(id, kind)
                .orElseThrow(() -> new IllegalStateException("no " + kind + " backup " + id));
        BackupVerifier.Report report = new BackupVerifier(tools(), storage, workDir()).verify(backup, null);
        out.println("backup " + backup.id() + ": " + (report.verified() ? "verified" : "NOT VERIFIED: " + report.error()) + " ("
                + report.checked().size() + " objects, " + report.seconds() + " s)");
        return report.verified() ? 0 : 1;
    }

    private int report(RestoreOutcome outcome) {
        out.println("data directory: " + outcome.dataDirectory());
        outcome.checks().forEach(c -> out.println("check " + (c.ok() ? "ok  " : "FAIL") + " " + c.name() + ": " + c.detail()));
        if (outcome.port() != null) {
            out.println("port: " + outcome.port() + (outcome.running() ? " (running)" : " (checked and stopped)"));
        }
        if (outcome.running()) {
            out.println("stop it with: " + outcome.stopCommand());
        }
        out.println("restore took " + outcome.seconds() + " s");
        if (!outcome.checksPassed()) {
            out.println("FAILED: " + outcome.firstFailure());
            return 1;
        }
        return 0;
    }

    private static Integer port(Map<String, String> options, boolean start) {
        if (!options.containsKey("port")) {
            return null;
        }
        if (!start) {
            throw new UsageException("--port only with --start");
        }
        try {
            int port = Integer.parseInt(options.get("port"));
            if (port < 1024 || port > 65535) {
                throw new NumberFormatException();
            }
            return port;
        } catch (NumberFormatException e) {
            throw new UsageException("--port: a number between 1024 and 65535");
        }
    }

    private static boolean flag(Map<String, String> options, String name, boolean allowed) {
        if (options.containsKey(name) && !allowed) {
            throw new UsageException("--" + name + " only with --start");
        }
        return options.containsKey(name);
    }

    private static String required(Map<String, String> options, String name) {
        String value = options.get(name);
        if (value == null || value.isBlank()) {
            throw new UsageException("--" + name + " is required");
        }
        return value;
    }

    private static final List<String> FLAGS = List.of("start", "keep-running");
    private static final List<String> VALUED = List.of("data-dir", "backup", "target", "time", "port", "wal-dir", "schema", "kind");

    static Map<String, String> options(String[] args) {
        Map<String, String> options = new HashMap<>();
        for (int i = 1; i < args.length; i++) {
            String name = args[i].startsWith("--") ? args[i].substring(2) : null;
            if (name != null && FLAGS.contains(name)) {
                options.put(name, "true");
            } else if (name != null && VALUED.contains(name) && i + 1 < args.length) {
                options.put(name, args[++i]);
            } else {
                throw new UsageException("unexpected argument " + args[i]);
            }
        }
        return options;
    }

    private int usage(String problem) {
        out.println(problem);
        out.print(USAGE);
        return 2;
    }

    /** Wrong usage: exit code 2 with the usage text. */
    static final class UsageException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        UsageException(String message) {
            super(message, null, false, false);
        }
    }
}
