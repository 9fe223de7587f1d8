package io.junoscommander.backup.postgres;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Archived WAL in a plain folder (what {@code pg_receivewal} writes, or a copy an operator made): every segment from the
 * first one a backup needs is staged; a {@code .partial} segment is staged under its final name.
 */
public final class DirectoryWalSource implements WalSource {

    private static final Pattern SEGMENT = Pattern.compile("[0-9A-F]{24}(\\.partial)?");

    private final Path folder;

    public DirectoryWalSource(Path folder) {
        this.folder = folder;
    }

    @Override
    public int stage(Path dir, String firstSegment) throws IOException {
        int staged = 0;
        try (Stream<Path> files = Files.list(folder)) {
            for (Path file : files.sorted().toList()) {
                String name = file.getFileName().toString();
                if (!SEGMENT.matcher(name).matches() || name.substring(8, 24).compareTo(firstSegment.substring(8, 24)) < 0) {
                    continue;
                }
                String finalName = name.substring(0, 24);
                if (name.endsWith(".partial") && Files.exists(folder.resolve(finalName))) {
                    continue;
                }
                Files.copy(file, dir.resolve(finalName), StandardCopyOption.REPLACE_EXISTING);
                staged++;
            }
        }
        return staged;
    }
}
