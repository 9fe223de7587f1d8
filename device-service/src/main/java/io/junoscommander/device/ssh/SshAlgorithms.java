package io.junoscommander.device.ssh;

import io.junoscommander.device.hostkey.HostKeyCheck;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.NamedResource;
import org.apache.sshd.common.kex.KexProposalOption;
import org.apache.sshd.common.session.Session;
import org.apache.sshd.common.session.SessionListener;

/**
 * The order in which the client proposes algorithms: in SSH the first of the client's list that the device also supports
 * wins, so the order alone decides what a new session costs. Every algorithm SSHD offers by default stays on the list (older
 * devices keep working); only the order changes, cheapest safe first, as measured per new session by bench/ssh-cost.sh
 * (client and lab CPU, same run):
 * <ul>
 * <li>key exchange: curve25519-sha256 (X25519, about 0.4 ms of CPU on this JDK) before ECDH P-256 (1.6 ms; the JDK's
 * generic EC arithmetic), P-384, P-521 and the finite-field groups (2 to 4 times a curve25519 session);</li>
 * <li>host key: ssh-ed25519 first: verifying its signature costs the client about 0.2 ms, an ECDSA P-256 one 1.3 ms, and
 * signing costs the device 0.07 ms against 0.7 ms (RSA 3072: 0.2 ms to verify, 3.9 ms to sign). A device whose key is on
 * record is asked for that key's algorithm first ({@link #knownHostKeyFirst()}), so the key on record keeps matching;</li>
 * <li>cipher: AES-GCM, then AES-CTR (the JDK runs AES and GHASH on the CPU's AES instructions) before chacha20-poly1305,
 * which SSHD computes in plain Java: the same for a short answer, slower for a large configuration;</li>
 * <li>MAC (only with CTR): encrypt-then-MAC SHA-256 first, as SSHD already has it.</li>
 * </ul>
 * Junos offers curve25519-sha256, ssh-ed25519 and aes-gcm on current releases; the rest of each list is the fallback.
 */
public final class SshAlgorithms {

    /** Key exchanges, cheapest first; any other the client knows keeps its place after these. */
    static final List<String> KEX_ORDER = List.of("curve25519-sha256", "curve25519-sha256@libssh.org", "ecdh-sha2-nistp256",
            "ecdh-sha2-nistp384", "curve448-sha512", "ecdh-sha2-nistp521");
    /** Host key signatures, cheapest to verify and to sign first (certificate forms keep their place before plain keys). */
    static final List<String> HOST_KEY_ORDER = List.of("ssh-ed25519-cert-v01@openssh.com", "ecdsa-sha2-nistp256-cert-v01@openssh.com",
            "ecdsa-sha2-nistp384-cert-v01@openssh.com", "ecdsa-sha2-nistp521-cert-v01@openssh.com", "rsa-sha2-512-cert-v01@openssh.com",
            "rsa-sha2-256-cert-v01@openssh.com", "ssh-ed25519", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521",
            "rsa-sha2-512", "rsa-sha2-256");
    static final List<String> CIPHER_ORDER = List.of("aes128-gcm@openssh.com", "aes256-gcm@openssh.com", "aes128-ctr", "aes256-ctr",
            "aes192-ctr", "chacha20-poly1305@openssh.com");
    static final List<String> MAC_ORDER = List.of("hmac-sha2-256-etm@openssh.com", "hmac-sha2-512-etm@openssh.com");

    private SshAlgorithms() {
    }

    /** Reorders the client's lists in place of SSHD's defaults; nothing is added or removed. */
    public static void preferCheapest(SshClient client) {
        client.setKeyExchangeFactories(ordered(client.getKeyExchangeFactories(), KEX_ORDER));
        client.setSignatureFactories(ordered(client.getSignatureFactories(), HOST_KEY_ORDER));
        client.setCipherFactories(ordered(client.getCipherFactories(), CIPHER_ORDER));
        client.setMacFactories(ordered(client.getMacFactories(), MAC_ORDER));
    }

    /** {@code factories} with the named ones first, in {@code order}, the others after them as they were. */
    static <T extends NamedResource> List<T> ordered(List<T> factories, List<String> order) {
        List<T> sorted = new ArrayList<>(factories);
        sorted.sort(Comparator.comparingInt(factory -> {
            int rank = order.indexOf(factory.getName());
            return rank < 0 ? order.size() : rank;
        }));
        return sorted;
    }

    /**
     * Per session: when a host key is on record for the device, the host key algorithms that key signs with go first in the
     * proposal, so a device with several host keys presents the one on record (as OpenSSH does with known_hosts) and a key
     * learned before this order changed does not turn into a host key mismatch.
     */
    public static SessionListener knownHostKeyFirst() {
        return new SessionListener() {
            @Override
            public void sessionNegotiationOptionsCreated(Session session, Map<KexProposalOption, String> proposal) {
                HostKeyCheck.Attempt attempt = session instanceof ClientSession client ? HostKeyCheck.attempt(client) : null;
                String proposed = proposal.get(KexProposalOption.SERVERKEYS);
                if (attempt == null || attempt.knownHostKey() == null || proposed == null) {
                    return;
                }
                proposal.put(KexProposalOption.SERVERKEYS, knownFirst(proposed, attempt.knownHostKey()));
            }
        };
    }

    /** The comma separated proposal with the algorithms of the known key (an OpenSSH public key line) first. */
    static String knownFirst(String proposed, String knownHostKey) {
        List<String> signing = signatureAlgorithms(knownHostKey.strip().split("\\s+", 2)[0]);
        List<String> algorithms = new ArrayList<>(Arrays.asList(proposed.split(",")));
        algorithms.sort(Comparator.comparingInt(name -> signing.contains(name) ? signing.indexOf(name) : signing.size()));
        return String.join(",", algorithms);
    }

    /** The host key algorithms a key of this type signs with: RSA keys with the SHA-2 forms first, then the old SHA-1 one. */
    static List<String> signatureAlgorithms(String keyType) {
        return "ssh-rsa".equals(keyType) ? List.of("rsa-sha2-512", "rsa-sha2-256", "ssh-rsa") : List.of(keyType);
    }
}
