package io.junoscommander.lab;

import java.util.Map;

/**
 * Session counts of the lab since start or the last {@link DeviceLab#resetStats()}.
 *
 * @param openSessions SSH sessions open right now
 * @param maxConcurrentSessions the most sessions that were open at the same time
 * @param totalSessions sessions accepted
 * @param devices the same numbers per device name
 */
public record LabStats(int openSessions, int maxConcurrentSessions, long totalSessions, Map<String, SessionCounts> devices) {

    /** Session numbers of one device. */
    public record SessionCounts(int open, int maxConcurrent, long total) {
    }

}
