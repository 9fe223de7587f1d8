package io.junoscommander.device.ssh;

import static org.assertj.core.api.Assertions.assertThat;

import io.junoscommander.device.hostkey.HostKeyCheck;
import io.junoscommander.infra.testing.InfraTestResource;
import io.junoscommander.lab.DeviceLab;
import io.junoscommander.lab.LabConfig;
import io.junoscommander.lab.LabDevice;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.AttributeRepository;
import org.apache.sshd.common.NamedResource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The client's proposal order: every default algorithm kept, the cheapest first, and a device that has several host keys
 * presents the one on record (a lab device with ECDSA, ed25519 and RSA keys, as a Junos device has). A Quarkus test only so
 * that SSHD and the EdDSA provider come from the one class loader the other tests of this JVM use (in a plain test after them
 * the lab's ed25519 key was "not an EdDSA public key" to SSHD).
 */
@QuarkusTest
@QuarkusTestResource(InfraTestResource.class)
class SshAlgorithmsTest {

    private static DeviceLab lab;
    private static LabDevice device;

    @BeforeAll
    static void startLab() throws Exception {
        lab = DeviceLab.start(LabConfig.builder().devices(1).extraHostKey("ed25519").extraHostKey("rsa").build());
        device = lab.devices().get(0);
    }

    @AfterAll
    static void stopLab() {
        lab.close();
    }

    @Test
    void onlyTheOrderChangesAndTheCheapestSafeAlgorithmsComeFirst() {
        SshClient defaults = SshClient.setUpDefaultClient();
        SshClient client = SshClient.setUpDefaultClient();
        SshAlgorithms.preferCheapest(client);
        assertThat(names(client.getKeyExchangeFactories())).containsExactlyInAnyOrderElementsOf(names(defaults.getKeyExchangeFactories()))
                .startsWith("curve25519-sha256", "curve25519-sha256@libssh.org", "ecdh-sha2-nistp256");
        assertThat(names(client.getSignatureFactories())).containsExactlyInAnyOrderElementsOf(names(defaults.getSignatureFactories()));
        assertThat(names(client.getSignatureFactories()).stream().filter(name -> !name.contains("-cert-")).toList())
                .startsWith("ssh-ed25519", "ecdsa-sha2-nistp256");
        assertThat(names(client.getCipherFactories())).containsExactlyInAnyOrderElementsOf(names(defaults.getCipherFactories()))
                .startsWith("aes128-gcm@openssh.com", "aes256-gcm@openssh.com", "aes128-ctr");
        assertThat(names(client.getMacFactories())).containsExactlyInAnyOrderElementsOf(names(defaults.getMacFactories()))
                .startsWith("hmac-sha2-256-etm@openssh.com");
    }

    @Test
    void theAlgorithmsOfTheKeyOnRecordGoFirst() {
        assertThat(SshAlgorithms.knownFirst("ssh-ed25519,ecdsa-sha2-nistp256,rsa-sha2-512,rsa-sha2-256,ssh-rsa",
                "ecdsa-sha2-nistp256 AAAAE2VjZHNh")).isEqualTo("ecdsa-sha2-nistp256,ssh-ed25519,rsa-sha2-512,rsa-sha2-256,ssh-rsa");
        assertThat(SshAlgorithms.knownFirst("ssh-ed25519,ecdsa-sha2-nistp256,rsa-sha2-512,rsa-sha2-256,ssh-rsa", "ssh-rsa AAAAB3Nza"))
                .isEqualTo("rsa-sha2-512,rsa-sha2-256,ssh-rsa,ssh-ed25519,ecdsa-sha2-nistp256");
    }

    @Test
    void aDeviceWithSeveralHostKeysPresentsEd25519ToANewClientAndTheKeyOnRecordToAKnownOne() throws Exception {
        String learned = presentedKey(null);
        assertThat(learned).startsWith("ssh-ed25519 ");
        // a key learned before the order changed (ECDSA was SSHD's first choice) keeps matching
        SshClient ecdsaOnly = SshClient.setUpDefaultClient();
        ecdsaOnly.setSignatureFactories(ecdsaOnly.getSignatureFactories().stream()
                .filter(factory -> factory.getName().equals("ecdsa-sha2-nistp256")).toList());
        String ecdsa = presentedKey(ecdsaOnly, null);
        assertThat(ecdsa).startsWith("ecdsa-sha2-nistp256 ");
        assertThat(presentedKey(ecdsa)).isEqualTo(ecdsa);
        assertThat(presentedKey(learned)).isEqualTo(learned);
    }

    /** The key the device presents to the service's client setup when {@code known} is on record, after the check passed. */
    private static String presentedKey(String known) throws Exception {
        SshClient client = SshClient.setUpDefaultClient();
        SshAlgorithms.preferCheapest(client);
        client.addSessionListener(SshAlgorithms.knownHostKeyFirst());
        return presentedKey(client, known);
    }

    private static String presentedKey(SshClient client, String known) throws Exception {
        client.setServerKeyVerifier(new HostKeyCheck(false));
        client.start();
        try {
            HostKeyCheck.Attempt attempt = new HostKeyCheck.Attempt(UUID.randomUUID(), device.name(), device.host(), device.port(), known);
            try (ClientSession session = client.connect(device.username(), device.host(), device.port(),
                    AttributeRepository.ofKeyValuePair(HostKeyCheck.ATTEMPT, attempt)).verify(Duration.ofSeconds(10)).getSession()) {
                session.addPasswordIdentity(device.password());
                session.auth().verify(Duration.ofSeconds(10));
                assertThat(attempt.rejected()).as(attempt.rejection()).isFalse();
                return attempt.presentedKey();
            }
        } finally {
            client.stop();
        }
    }

    private static List<String> names(List<? extends NamedResource> factories) {
        return factories.stream().map(NamedResource::getName).toList();
    }
}
