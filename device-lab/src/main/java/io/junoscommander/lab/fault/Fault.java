package io.junoscommander.lab.fault;

import java.util.Objects;

/**
 * One fault with its parameter: milliseconds for {@link FaultKind#LATENCY}, megabytes for {@link FaultKind#HUGE_OUTPUT},
 * ignored for the others.
 */
public record Fault(FaultKind kind, long amount) {

    public Fault {
        Objects.requireNonNull(kind, "kind");
        if (amount < 0) {
            throw new IllegalArgumentException("fault amount must not be negative: " + amount);
        }
    }

    public static Fault wrongPassword() {
        return new Fault(FaultKind.WRONG_PASSWORD, 0);
    }

    public static Fault latency(long millis) {
        return new Fault(FaultKind.LATENCY, millis);
    }

    public static Fault hang() {
        return new Fault(FaultKind.HANG, 0);
    }

    public static Fault disconnectMidOutput() {
        return new Fault(FaultKind.DISCONNECT_MID_OUTPUT, 0);
    }

    public static Fault hugeOutput(long megabytes) {
        return new Fault(FaultKind.HUGE_OUTPUT, megabytes);
    }

    @Override
    public String toString() {
        return amount == 0 ? kind.wireName() : kind.wireName() + "=" + amount;
    }
}
