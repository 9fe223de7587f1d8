package io.junoscommander.backup.postgres;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Where a base backup starts and ends in the WAL stream, read from its {@code backup_label} and {@code backup_manifest}. */
public record WalPositions(String startSegment, String endSegment, int timeline, String startLsn, String endLsn, String startTime) {

    private static final Pattern START = Pattern.compile("START WAL LOCATION: (\\S+) \\(file ([0-9A-F]{24})\\)");
    private static final Pattern START_TIME = Pattern.compile("START TIME: (.+)");
    private static final Pattern RANGE = Pattern.compile("\"Timeline\":\\s*(\\d+),\\s*\"Start-LSN\":\\s*\"([0-9A-F/]+)\",\\s*"
            + "\"End-LSN\":\\s*\"([0-9A-F/]+)\"");

    public static WalPositions read(Path dataDir, long segmentSize) throws IOException {
        String label = Files.readString(dataDir.resolve("backup_label"));
        Matcher start = START.matcher(label);
        if (!start.find()) {
            throw new IOException("backup_label has no START WAL LOCATION");
        }
        Matcher time = START_TIME.matcher(label);
        String startTime = time.find() ? time.group(1).strip() : null;
        Matcher range = RANGE.matcher(Files.readString(dataDir.resolve("backup_manifest")));
        String endLsn = null;
        int timeline = Integer.parseInt(start.group(2).substring(0, 8), 16);
        while (range.find()) {
            timeline = Integer.parseInt(range.group(1));
            endLsn = range.group(3);
        }
        if (endLsn == null) {
            throw new IOException("backup_manifest has no WAL-Ranges");
        }
        // the end LSN points just past the last record the backup needs
        return new WalPositions(start.group(2), segmentName(timeline, parseLsn(endLsn) - 1, segmentSize), timeline, start.group(1), endLsn,
                startTime);
    }

    public static long parseLsn(String lsn) {
        String[] halves = lsn.split("/");
        return (Long.parseLong(halves[0], 16) << 32) | Long.parseLong(halves[1], 16);
    }

    /** The WAL file name holding {@code lsn}, as PostgreSQL names it. */
    public static String segmentName(int timeline, long lsn, long segmentSize) {
        long segment = lsn / segmentSize;
        long perId = 0x1_0000_0000L / segmentSize;
        return String.format(Locale.ROOT, "%08X%08X%08X", timeline, segment / perId, segment % perId);
    }
}
