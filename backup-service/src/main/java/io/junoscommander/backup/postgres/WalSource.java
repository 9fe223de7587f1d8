package io.junoscommander.backup.postgres;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The archived WAL a restore replays after its base backup (continuous archiving by the WAL receiver). A restore stages
 * the segments it needs into a directory its {@code restore_command} copies from.
 */
public interface WalSource {

    /**
     * Copies into {@code dir} every archived segment of the WAL stream from {@code firstSegment} on (by file name, e.g.
     * {@code 000000010000000000000003}), the newest partially written segment under its final name included, so a
     * restore reaches the latest state the archive knows. Returns how many segments were staged.
     */
    int stage(Path dir, String firstSegment) throws IOException;
}
