package io.junoscommander.backup.wal;

import io.junoscommander.backup.config.BackupConfig;
import io.junoscommander.backup.storage.BackupStorage;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.jboss.logging.Logger;

/**
 * Moves what the receiver wrote into the storage: each completed segment and history file once (with its SHA-256 in the
 * catalog), and the segment still being written as {@code wal/<name>.partial} whenever it changed, so an archive that lives
 * in S3 alone has a recovery point of seconds too. Archived segments leave the receiver directory, except the newest
 * (pg_receivewal resumes after it when restarted).
 */
@ApplicationScoped
public class WalArchiver {

    private static final Logger LOG = Logger.getLogger(WalArchiver.class);

    private final Path directory;
    private final WalArchive archive;
    private final BackupStorage storage;
    private final Set<String> archived = new HashSet<>();
    private String uploadedPartial;
    private FileTime uploadedPartialTime;
    private volatile String lastArchived;
    private volatile Instant lastArchivedAt;
    private volatile Instant lastPartialUploadAt;

    WalArchiver(BackupConfig config, WalConfig wal, WalArchive archive, BackupStorage storage) {
        this.directory = wal.receiverDir().orElse(config.dir().resolve("wal-receiver")).toAbsolutePath().normalize();
        this.archive = archive;
        this.storage = storage;
    }

    public Path directory() {
        return directory;
    }

    public Optional<String> lastArchived() {
        return Optional.ofNullable(lastArchived);
    }

    public Optional<Instant> lastArchivedAt() {
        return Optional.ofNullable(lastArchivedAt);
    }

    public Optional<Instant> lastPartialUploadAt() {
        return Optional.ofNullable(lastPartialUploadAt);
    }

    /** Archives every completed segment and history file not archived yet; returns how many. */
    public synchronized int archiveCompleted() throws IOException {
        List<Path> files = files(name -> WalNames.isSegment(name) || WalNames.isHistory(name));
        int count = 0;
        for (Path file : files) {
            String name = file.getFileName().toString();
            if (archived.contains(name)) {
                continue;
            }
            archive.archive(file);
            archived.add(name);
            count++;
            if (WalNames.isSegment(name)) {
                lastArchived = name;
                lastArchivedAt = Instant.now();
                // the segment is whole now: its partial copy in the storage has served its purpose
                storage.delete(WalArchive.key(name + WalNames.PARTIAL_SUFFIX));
            }
        }
        List<Path> segments = files.stream().filter(file -> WalNames.isSegment(file.getFileName().toString())).toList();
        for (Path segment : segments.subList(0, Math.max(0, segments.size() - 1))) {
            if (archived.contains(segment.getFileName().toString())) {
                Files.deleteIfExists(segment);
            }
        }
        return count;
    }

    /** Copies the segment being written to the storage when it changed since the last copy; returns whether it did. */
    public synchronized boolean uploadPartial() throws IOException {
        Optional<Path> partial = newestPartial();
        if (partial.isEmpty()) {
            return false;
        }
        Path file = partial.get();
        String name = file.getFileName().toString();
        FileTime modified;
        try {
            modified = Files.getLastModifiedTime(file);
        } catch (NoSuchFileException e) {
            return false; // completed and renamed in between; the next archive pass takes it
        }
        if (name.equals(uploadedPartial) && modified.equals(uploadedPartialTime)) {
            return false;
        }
        try {
            storage.put(WalArchive.key(name), file);
        } catch (NoSuchFileException e) {
            return false;
        }
        boolean newSegment = !name.equals(uploadedPartial);
        uploadedPartial = name;
        uploadedPartialTime = modified;
        lastPartialUploadAt = Instant.now();
        if (newSegment) {
            dropOlderPartials(WalNames.position(WalNames.withoutPartialSuffix(name)));
        }
        return true;
    }

    /** The segment pg_receivewal is writing, if any. */
    public Optional<Path> newestPartial() throws IOException {
        List<Path> partials = files(WalNames::isPartial);
        return partials.isEmpty() ? Optional.empty() : Optional.of(partials.get(partials.size() - 1));
    }

    /** Completed segments and history files still in the receiver directory (archived or about to be). */
    public List<Path> localCompleted() throws IOException {
        return files(name -> WalNames.isSegment(name) || WalNames.isHistory(name));
    }

    private void dropOlderPartials(String position) {
        try {
            for (BackupStorage.StoredObject object : storage.list(WalArchive.PREFIX)) {
                String name = object.key().substring(WalArchive.PREFIX.length());
                if (WalNames.isPartial(name) && WalNames.position(WalNames.withoutPartialSuffix(name)).compareTo(position) < 0) {
                    storage.delete(object.key());
                }
            }
        } catch (IOException e) {
            LOG.warnf("could not remove older partial WAL copies: %s", e.getMessage());
        }
    }

    /** Files of the receiver directory whose name passes {@code filter}, in stream order (history files first). */
    private List<Path> files(java.util.function.Predicate<String> filter) throws IOException {
        if (!Files.isDirectory(directory)) {
            return List.of();
        }
        try (Stream<Path> listing = Files.list(directory)) {
            return listing.filter(path -> filter.test(path.getFileName().toString())).sorted(Comparator.comparing(WalArchiver::order))
                    .toList();
        }
    }

    private static String order(Path file) {
        String name = WalNames.withoutPartialSuffix(file.getFileName().toString());
        return WalNames.isHistory(name) ? "0" + name : "1" + WalNames.position(name) + name.substring(0, 8);
    }
}
