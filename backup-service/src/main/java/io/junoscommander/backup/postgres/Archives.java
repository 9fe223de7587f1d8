package io.junoscommander.backup.postgres;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** A data directory packed as tar + gzip and unpacked again, by the system's {@code tar} (fast, streams, keeps modes). */
public final class Archives {

    private static final Duration TIMEOUT = Duration.ofHours(6);

    private Archives() {
    }

    /** Packs the contents of {@code dir} into {@code archive}; gzip's fastest level, since the copy is what is measured and waited for. */
    public static void pack(PgTools tools, Path dir, Path archive) {
        tools.run(List.of("tar", "-C", dir.toString(), "--use-compress-program=gzip -1", "-cf", archive.toString(), "."), Map.of(),
                TIMEOUT);
    }

    /** Unpacks {@code archive} into {@code dir}, which must exist. */
    public static void unpack(PgTools tools, Path archive, Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new IllegalStateException(dir + " is not a directory");
        }
        tools.run(List.of("tar", "-C", dir.toString(), "-xzf", archive.toString()), Map.of(), TIMEOUT);
    }
}
