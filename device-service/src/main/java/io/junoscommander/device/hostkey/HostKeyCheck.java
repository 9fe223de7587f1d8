package io.junoscommander.device.hostkey;

import java.net.SocketAddress;
import java.security.PublicKey;
import java.util.UUID;
import org.apache.sshd.client.keyverifier.ServerKeyVerifier;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.AttributeRepository;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.jboss.logging.Logger;

/**
 * Checks a device's host key against the one on record: a pinned or learned key must match exactly; with no key on
 * record the TOFU policy accepts and remembers it, the strict policy refuses. Every refusal goes to the security log.
 */
public final class HostKeyCheck implements ServerKeyVerifier {

    /** Per connection: the target, and what the check saw. */
    public static final AttributeRepository.AttributeKey<Attempt> ATTEMPT = new AttributeRepository.AttributeKey<>();

    private static final Logger SECURITY = Logger.getLogger("security");

    /**
     * One connection attempt: the device and the key on record (OpenSSH form, null when none), and what the device presented and
     * the check decided, read after the connect.
     */
    public static final class Attempt {
        private final UUID deviceId;
        private final String deviceName;
        private final String host;
        private final int port;
        private final String knownHostKey;
        private volatile String presentedKey;
        private volatile String presentedFingerprint;
        private volatile boolean rejected;
        private volatile String rejection;

        public Attempt(UUID deviceId, String deviceName, String host, int port, String knownHostKey) {
            this.deviceId = deviceId;
            this.deviceName = deviceName;
            this.host = host;
            this.port = port;
            this.knownHostKey = knownHostKey;
        }

        /** The key on record (OpenSSH form), null when none. */
        public String knownHostKey() {
            return knownHostKey;
        }

        public String presentedKey() {
            return presentedKey;
        }

        public String presentedFingerprint() {
            return presentedFingerprint;
        }

        public boolean rejected() {
            return rejected;
        }

        /** Why the key was refused (safe to show). */
        public String rejection() {
            return rejection;
        }
    }

    private final boolean strict;

    public HostKeyCheck(boolean strict) {
        this.strict = strict;
    }

    @Override
    public boolean verifyServerKey(ClientSession session, SocketAddress remoteAddress, PublicKey serverKey) {
        Attempt attempt = attempt(session);
        if (attempt == null) {
            return false;
        }
        attempt.presentedKey = PublicKeyEntry.toString(serverKey);
        attempt.presentedFingerprint = KeyUtils.getFingerPrint(serverKey);
        if (attempt.knownHostKey == null) {
            if (strict) {
                return reject(attempt, "no host key is pinned for " + attempt.deviceName + " and the policy is strict");
            }
            return true;
        }
        PublicKey expected;
        try {
            expected = PublicKeyEntry.parsePublicKeyEntry(attempt.knownHostKey).resolvePublicKey(null, null, null);
        } catch (Exception e) {
            return reject(attempt, "the host key on record for " + attempt.deviceName + " cannot be read");
        }
        if (KeyUtils.compareKeys(expected, serverKey)) {
            return true;
        }
        return reject(attempt, "host key of " + attempt.deviceName + " changed: expected " + KeyUtils.getFingerPrint(expected) + ", got "
                + attempt.presentedFingerprint);
    }

    /** Set as connection context before the key exchange starts, so it is there when the key is checked. */
    public static Attempt attempt(ClientSession session) {
        Attempt attempt = session.getAttribute(ATTEMPT);
        if (attempt == null && session.getConnectionContext() != null) {
            attempt = session.getConnectionContext().getAttribute(ATTEMPT);
        }
        return attempt;
    }

    private static boolean reject(Attempt attempt, String why) {
        attempt.rejected = true;
        attempt.rejection = why;
        SECURITY.warnf("ssh host key refused for device %s (%s) at %s:%d: %s", attempt.deviceName, attempt.deviceId, attempt.host,
                attempt.port, why);
        return false;
    }
}
