package io.junoscommander.lab.server;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Counts open SSH sessions (TCP connections that reached the SSH layer) for the whole lab and per device, and remembers the
 * highest number open at the same time since the last reset. Callers use it to prove a concurrency limit holds.
 */
public final class SessionCounter {

    /** Numbers for one device or the whole lab. */
    public record Counts(int open, int maxConcurrent, long total) {
    }

    private final Map<String, int[]> perDevice = new LinkedHashMap<>();
    private final Map<String, Long> totalPerDevice = new LinkedHashMap<>();
    private int open;
    private int maxConcurrent;
    private long total;

    public synchronized void register(String device) {
        perDevice.putIfAbsent(device, new int[2]);
        totalPerDevice.putIfAbsent(device, 0L);
    }

    synchronized void opened(String device) {
        int[] counts = perDevice.computeIfAbsent(device, d -> new int[2]);
        counts[0]++;
        counts[1] = Math.max(counts[1], counts[0]);
        totalPerDevice.merge(device, 1L, Long::sum);
        open++;
        maxConcurrent = Math.max(maxConcurrent, open);
        total++;
    }

    synchronized void closed(String device) {
        int[] counts = perDevice.get(device);
        if (counts != null && counts[0] > 0) {
            counts[0]--;
        }
        if (open > 0) {
            open--;
        }
    }

    public synchronized Counts lab() {
        return new Counts(open, maxConcurrent, total);
    }

    public synchronized Counts device(String device) {
        int[] counts = perDevice.getOrDefault(device, new int[2]);
        return new Counts(counts[0], counts[1], totalPerDevice.getOrDefault(device, 0L));
    }

    public synchronized Map<String, Counts> devices() {
        Map<String, Counts> copy = new LinkedHashMap<>();
        perDevice.forEach((name, counts) -> copy.put(name, new Counts(counts[0], counts[1], totalPerDevice.getOrDefault(name, 0L))));
        return copy;
    }

    /** Starts a new measurement: maxima drop to what is open now, totals to zero. */
    public synchronized void reset() {
        maxConcurrent = open;
        total = 0;
        perDevice.values().forEach(counts -> counts[1] = counts[0]);
        totalPerDevice.replaceAll((name, count) -> 0L);
    }
}
