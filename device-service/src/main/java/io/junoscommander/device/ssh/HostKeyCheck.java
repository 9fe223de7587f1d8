package io.junoscommander.device.ssh;

import java.net.SocketAddress;
import java.security.PublicKey;
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
final class HostKeyCheck implements ServerKeyVerifier {

    /** Per connection: the target, and what the check saw. */
    static final AttributeRepository.AttributeKey<Attempt> ATTEMPT = new AttributeRepository.AttributeKey<>();

    private static final Logger SECURITY = Logger.getLogger("security");

    /** What one connection attempt presented and decided; read after the connect. */
    static final class Attempt {
        final DeviceTarget target;
        volatile String presentedKey;
        volatile String presentedFingerprint;
        volatile boolean rejected;
        volatile String rejection;

        Attempt(DeviceTarget target) {
            this.target = target;
        }
    }

    private final boolean strict;

    HostKeyCheck(boolean strict) {
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
        DeviceTarget target = attempt.target;
        if (target.knownHostKey() == null) {
            if (strict) {
                return reject(attempt, "no host key is pinned for " + target.name() + " and the policy is strict");
            }
            return true;
        }
        PublicKey expected;
        try {
            expected = PublicKeyEntry.parsePublicKeyEntry(target.knownHostKey()).resolvePublicKey(null, null, null);
        } catch (Exception e) {
            return reject(attempt, "the host key on record for " + target.name() + " cannot be read");
        }
        if (KeyUtils.compareKeys(expected, serverKey)) {
            return true;
        }
        return reject(attempt, "host key of " + target.name() + " changed: expected " + KeyUtils.getFingerPrint(expected) + ", got "
                + attempt.presentedFingerprint);
    }

    /** Set as connection context before the key exchange starts, so it is there when the key is checked. */
    static Attempt attempt(ClientSession session) {
        Attempt attempt = session.getAttribute(ATTEMPT);
        if (attempt == null && session.getConnectionContext() != null) {
            attempt = session.getConnectionContext().getAttribute(ATTEMPT);
        }
        return attempt;
    }

    private static boolean reject(Attempt attempt, String why) {
        attempt.rejected = true;
        attempt.rejection = why;
        SECURITY.warnf("ssh host key refused for device %s (%s) at %s:%d: %s", attempt.target.name(), attempt.target.deviceId(),
                attempt.target.host(), attempt.target.port(), why);
        return false;
    }
}
