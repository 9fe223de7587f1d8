package io.junoscommander.gateway.security;

import org.jboss.logging.Logger;

/** The {@code security} log category: failed logins, lockouts, revocations. Never a password or a token. */
public final class SecurityLog {

    public static final Logger LOG = Logger.getLogger("security");

    private SecurityLog() {
    }

    /** Keeps user-supplied names short and on one line before they reach a log. */
    public static String safe(String value) {
        if (value == null) {
            return "-";
        }
        String cleaned = value.replaceAll("[^A-Za-z0-9._@:-]", "?");
        return cleaned.length() > 64 ? cleaned.substring(0, 64) : cleaned;
    }
}
