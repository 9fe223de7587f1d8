package io.junoscommander.lab.fault;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The faults currently active on one device; read on every connection and command, changed at any time. */
public final class DeviceFaults {

    private final Map<FaultKind, Fault> active = new EnumMap<>(FaultKind.class);

    public synchronized void set(Fault fault) {
        active.put(fault.kind(), fault);
    }

    public synchronized void clear(FaultKind kind) {
        active.remove(kind);
    }

    public synchronized void clearAll() {
        active.clear();
    }

    public synchronized Optional<Fault> get(FaultKind kind) {
        return Optional.ofNullable(active.get(kind));
    }

    public synchronized boolean has(FaultKind kind) {
        return active.containsKey(kind);
    }

    /** Milliseconds to wait before each response; 0 without a latency fault. */
    public synchronized long latencyMillis() {
        Fault latency = active.get(FaultKind.LATENCY);
        return latency == null ? 0 : latency.amount();
    }

    public synchronized List<Fault> all() {
        return List.copyOf(active.values());
    }
}
