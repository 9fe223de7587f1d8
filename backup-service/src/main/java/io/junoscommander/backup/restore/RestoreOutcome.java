package io.junoscommander.backup.restore;

import java.nio.file.Path;
import java.util.List;

/**
 * What a restore left: the data directory, the port of the server when it was started (and whether it still runs, with
 * the command that stops it), the checks run on it, the WAL segments staged and the time it took.
 */
public record RestoreOutcome(Path dataDirectory, Integer port, boolean running, String stopCommand, List<RestoreCheck> checks,
        int walSegments, String lastReplayedCommit, double seconds) {

    public boolean checksPassed() {
        return checks.stream().allMatch(RestoreCheck::ok);
    }

    /** The first failed check, for an error message. */
    public String firstFailure() {
        return checks.stream().filter(c -> !c.ok()).map(c -> c.name() + ": " + c.detail()).findFirst().orElse(null);
    }
}
