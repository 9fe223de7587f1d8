package io.junoscommander.backup.wal;

import io.junoscommander.backup.postgres.WalSource;
import io.junoscommander.backup.storage.BackupStorage;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.jboss.logging.Logger;

/**
 * Stages archived WAL for a restore: every history file (a restore that crosses a timeline switch needs them), every
 * segment of every timeline from the first one on, and the newest partially written segment under its final name. The
 * receiver directory of this replica wins over the storage (it is newer: the storage's partial copy trails it by up to
 * the upload interval, and a just-completed segment may not be uploaded yet).
 */
@ApplicationScoped
public class ArchivedWalSource implements WalSource {

    private static final Logger LOG = Logger.getLogger(ArchivedWalSource.class);

    private final BackupStorage storage;
    private final WalArchiver archiver;
    private final ReplicationServer server;

    ArchivedWalSource(BackupStorage storage, WalArchiver archiver, ReplicationServer server) {
        this.storage = storage;
        this.archiver = archiver;
        this.server = server;
    }

    /** The archive as the storage alone holds it, for the operator's restore command (no service, no receiver directory). */
    public static WalSource inStorage(BackupStorage storage) {
        return (dir, firstSegment) -> stage(storage, List.of(), Optional.empty(), WalNames.DEFAULT_SEGMENT_SIZE, dir, firstSegment);
    }

    @Override
    public int stage(Path dir, String firstSegment) throws IOException {
        return stage(storage, archiver.localCompleted(), archiver.newestPartial(), server.segmentSizeOrDefault(), dir, firstSegment);
    }

    private static int stage(BackupStorage storage, List<Path> localCompleted, Optional<Path> localNewestPartial, long segmentSize,
            Path dir, String firstSegment) throws IOException {
        String from = WalNames.positionOf(firstSegment, segmentSize);
        Files.createDirectories(dir);
        // final name -> where it comes from; a completed file always wins over a partial one of the same name
        Map<String, Source> wanted = new TreeMap<>();
        Source newestPartial = null;
        for (BackupStorage.StoredObject object : storage.list(WalArchive.PREFIX)) {
            String name = object.key().substring(WalArchive.PREFIX.length());
            if (WalNames.isHistory(name) || WalNames.isSegment(name) && WalNames.position(name).compareTo(from) >= 0) {
                wanted.put(name, new Source(name, object.key(), null));
            } else if (WalNames.isPartial(name)) {
                newestPartial = newer(newestPartial, new Source(WalNames.withoutPartialSuffix(name), object.key(), null));
            }
        }
        for (Path file : localCompleted) {
            String name = file.getFileName().toString();
            if (WalNames.isHistory(name) || WalNames.position(name).compareTo(from) >= 0) {
                wanted.putIfAbsent(name, new Source(name, null, file));
            }
        }
        Source localPartial = localNewestPartial.map(file -> new Source(WalNames.withoutPartialSuffix(file.getFileName().toString()),
                null, file)).orElse(null);
        if (localPartial != null && (newestPartial == null || !newer(newestPartial, localPartial).equals(newestPartial))) {
            newestPartial = localPartial;
        }
        if (newestPartial != null && !wanted.containsKey(newestPartial.name())
                && WalNames.position(newestPartial.name()).compareTo(from) >= 0) {
            wanted.put(newestPartial.name(), newestPartial);
        }
        int segments = 0;
        for (Source source : wanted.values()) {
            if (copy(storage, source, dir.resolve(source.name())) && WalNames.isSegment(source.name())) {
                segments++;
            }
        }
        LOG.infof("staged %d WAL segments from %s on into %s", segments, firstSegment, dir);
        return segments;
    }

    private static boolean copy(BackupStorage storage, Source source, Path target) throws IOException {
        if (source.local() != null) {
            try {
                Files.copy(source.local(), target, StandardCopyOption.REPLACE_EXISTING);
                return true;
            } catch (NoSuchFileException e) {
                // archived and removed meanwhile: the storage has it
                String key = WalArchive.key(source.name());
                if (!storage.exists(key)) {
                    return false;
                }
                storage.get(key, target);
                return true;
            }
        }
        storage.get(source.key(), target);
        return true;
    }

    /** Of two partial segments, the one further in the stream (then on the higher timeline). */
    private static Source newer(Source current, Source candidate) {
        if (current == null) {
            return candidate;
        }
        String a = WalNames.position(current.name()) + current.name().substring(0, 8);
        String b = WalNames.position(candidate.name()) + candidate.name().substring(0, 8);
        return b.compareTo(a) >= 0 ? candidate : current;
    }

    /** A file to stage: from the storage ({@code key}) or from this replica's receiver directory ({@code local}). */
    private record Source(String name, String key, Path local) {
    }
}
