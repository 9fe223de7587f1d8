package io.junoscommander.backup.restore;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.junoscommander.backup.catalog.BackupFile;
import io.junoscommander.backup.catalog.BackupRun;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A backup as a restore needs it: the catalog row and its files, or the {@code backup.json} object each PostgreSQL
 * backup writes beside its data, so the storage alone is enough to restore when the catalog database is gone.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record BackupDescriptor(int format, UUID id, String kind, String location, OffsetDateTime startedAt, OffsetDateTime consistentAt,
        boolean verified, String walStart, String walEnd, List<FileEntry> files, Map<String, Object> details) {

    public static final String OBJECT_NAME = "backup.json";
    public static final int FORMAT = 1;

    private static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS).enable(SerializationFeature.INDENT_OUTPUT);

    /** One stored object of the backup with the SHA-256 of its plain content. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record FileEntry(String name, long sizeBytes, String sha256) {
    }

    public static BackupDescriptor of(BackupRun run, List<BackupFile> files) {
        return new BackupDescriptor(FORMAT, run.id, run.kind, run.location, run.startedAt, run.consistentAt, run.verified, run.walStart,
                run.walEnd, files.stream().map(f -> new FileEntry(f.name, f.sizeBytes, f.sha256)).toList(),
                run.details == null ? Map.of() : run.details);
    }

    public BackupDescriptor withFiles(List<FileEntry> entries) {
        return new BackupDescriptor(format, id, kind, location, startedAt, consistentAt, verified, walStart, walEnd, List.copyOf(entries),
                details);
    }

    public FileEntry file(String name) {
        return files.stream().filter(f -> f.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalStateException("backup " + id + " has no object " + name));
    }

    /** The row counts per schema and table recorded when the backup was taken. */
    @SuppressWarnings("unchecked")
    public Map<String, Map<String, Number>> recordedSchemas() {
        Object schemas = details == null ? null : details.get("schemas");
        return schemas instanceof Map<?, ?> map ? (Map<String, Map<String, Number>>) map : Map.of();
    }

    public String detail(String name) {
        Object value = details == null ? null : details.get(name);
        return value == null ? null : value.toString();
    }

    public void write(Path file) throws IOException {
        JSON.writeValue(file.toFile(), this);
    }

    public static BackupDescriptor read(InputStream in) throws IOException {
        return JSON.readValue(in, BackupDescriptor.class);
    }

    public static ObjectMapper json() {
        return JSON;
    }
}
