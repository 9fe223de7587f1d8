package io.junoscommander.backup.wal;

import java.util.regex.Pattern;

/**
 * PostgreSQL's WAL file names: a segment is {@code TTTTTTTTXXXXXXXXYYYYYYYY} (timeline, log id, segment within the log
 * id, hex), a timeline's history file {@code TTTTTTTT.history}. The last 16 characters are the segment's place in the WAL
 * stream whatever the timeline, and they sort as the stream does.
 */
public final class WalNames {

    public static final long DEFAULT_SEGMENT_SIZE = 16L * 1024 * 1024;
    public static final String PARTIAL_SUFFIX = ".partial";

    private static final Pattern SEGMENT = Pattern.compile("[0-9A-F]{24}");
    private static final Pattern HISTORY = Pattern.compile("[0-9A-F]{8}\\.history");
    private static final Pattern LSN = Pattern.compile("([0-9A-Fa-f]{1,8})/([0-9A-Fa-f]{1,8})");

    private WalNames() {
    }

    public static boolean isSegment(String name) {
        return SEGMENT.matcher(name).matches();
    }

    public static boolean isHistory(String name) {
        return HISTORY.matcher(name).matches();
    }

    /** A segment pg_receivewal is still writing: {@code <segment>.partial}. */
    public static boolean isPartial(String name) {
        return name.endsWith(PARTIAL_SUFFIX) && isSegment(name.substring(0, name.length() - PARTIAL_SUFFIX.length()));
    }

    public static String withoutPartialSuffix(String name) {
        return isPartial(name) ? name.substring(0, name.length() - PARTIAL_SUFFIX.length()) : name;
    }

    public static int timeline(String name) {
        return Integer.parseInt(name.substring(0, 8), 16);
    }

    /** The segment's place in the stream without its timeline: comparable across timelines, sorts like the stream. */
    public static String position(String segment) {
        return segment.substring(8, 24);
    }

    /** The segment's number in the stream (log id times segments per log id plus the segment). */
    public static long number(String segment, long segmentSize) {
        long perLogId = 0x1_0000_0000L / segmentSize;
        return Long.parseLong(segment.substring(8, 16), 16) * perLogId + Long.parseLong(segment.substring(16, 24), 16);
    }

    /** The segment after {@code segment} on the same timeline. */
    public static String next(String segment, long segmentSize) {
        long perLogId = 0x1_0000_0000L / segmentSize;
        long following = number(segment, segmentSize) + 1;
        return String.format("%08X%08X%08X", timeline(segment), following / perLogId, following % perLogId);
    }

    public static boolean isLsn(String text) {
        return text != null && LSN.matcher(text).matches();
    }

    public static long parseLsn(String text) {
        var match = LSN.matcher(text);
        if (!match.matches()) {
            throw new IllegalArgumentException("not a WAL location: " + text);
        }
        return (Long.parseLong(match.group(1), 16) << 32) | Long.parseLong(match.group(2), 16);
    }

    /** The segment that holds the byte at {@code lsn} on {@code timeline}. */
    public static String segmentOf(int timeline, long lsn, long segmentSize) {
        long perLogId = 0x1_0000_0000L / segmentSize;
        long number = Long.divideUnsigned(lsn, segmentSize);
        return String.format("%08X%08X%08X", timeline, number / perLogId, number % perLogId);
    }

    /**
     * The stream position a catalog's WAL bound names: a segment name as this service records it, or an LSN
     * ({@code 0/3000028}) as a base backup reports it.
     */
    public static String positionOf(String segmentOrLsn, long segmentSize) {
        if (isSegment(segmentOrLsn)) {
            return position(segmentOrLsn);
        }
        return position(segmentOf(1, parseLsn(segmentOrLsn), segmentSize));
    }
}
