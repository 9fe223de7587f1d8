package io.junoscommander.lab.fault;

import java.util.Locale;

/** The misbehaviours a lab device can be told to show. */
public enum FaultKind {
    /** The device rejects the configured (correct) password. */
    WRONG_PASSWORD("wrong-password"),
    /** Every response (and the first prompt) is delayed by {@code amount} milliseconds. */
    LATENCY("latency"),
    /** The SSH handshake and authentication succeed, then the channel never answers. */
    HANG("hang"),
    /** The device sends half of a command's output and then drops the connection. */
    DISCONNECT_MID_OUTPUT("disconnect"),
    /** {@code show configuration} returns at least {@code amount} megabytes. */
    HUGE_OUTPUT("huge-output");

    private final String wireName;

    FaultKind(String wireName) {
        this.wireName = wireName;
    }

    /** The name used on the admin HTTP port and the command line, e.g. {@code wrong-password}. */
    public String wireName() {
        return wireName;
    }

    /** Accepts the wire name or the enum constant name, case-insensitively. */
    public static FaultKind parse(String text) {
        String wanted = text.trim().toLowerCase(Locale.ROOT);
        for (FaultKind kind : values()) {
            if (kind.wireName.equals(wanted) || kind.name().toLowerCase(Locale.ROOT).equals(wanted)) {
                return kind;
            }
        }
        throw new IllegalArgumentException("unknown fault kind: " + text);
    }
}
