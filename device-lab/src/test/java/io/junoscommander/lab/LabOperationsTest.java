package io.junoscommander.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.junoscommander.lab.fault.Fault;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.ArrayList;
import java.util.List;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.keyprovider.KeyIdentityProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Session counting, the admin HTTP port, authentication and host keys, and the standalone entry point. */
class LabOperationsTest {

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void countsOpenAndMaximumConcurrentSessionsPerDeviceAndResets() throws Exception {
        try (DeviceLab lab = DeviceLab.start(LabConfig.builder().devices(3).build()); LabSsh ssh = new LabSsh()) {
            List<ClientSession> sessions = new ArrayList<>();
            sessions.add(ssh.login(lab.device("lab-r0001")));
            sessions.add(ssh.login(lab.device("lab-r0001")));
            sessions.add(ssh.login(lab.device("lab-r0002")));
            LabStats during = lab.stats();
            assertThat(during.openSessions()).isEqualTo(3);
            assertThat(during.maxConcurrentSessions()).isEqualTo(3);
            assertThat(during.devices().get("lab-r0001")).isEqualTo(new LabStats.SessionCounts(2, 2, 2));
            assertThat(during.devices().get("lab-r0003")).isEqualTo(new LabStats.SessionCounts(0, 0, 0));
            for (ClientSession session : sessions) {
                session.close(false).await(LabSsh.TIMEOUT);
            }
            awaitOpenSessions(lab, 0);
            assertThat(lab.stats().maxConcurrentSessions()).isEqualTo(3);
            lab.resetStats();
            LabStats after = lab.stats();
            assertThat(after.maxConcurrentSessions()).isZero();
            assertThat(after.totalSessions()).isZero();
            assertThat(after.devices().get("lab-r0001").maxConcurrent()).isZero();
        }
    }

    @Test
    void adminPortSetsFaultsAndReportsStats() throws Exception {
        try (DeviceLab lab = DeviceLab.start(LabConfig.builder().devices(2).adminPort(0).build()); LabSsh ssh = new LabSsh()) {
            String base = "http://127.0.0.1:" + lab.adminPort();
            HttpResponse<String> fault = send("POST", base + "/devices/lab-r0002/fault?kind=wrong-password");
            assertThat(fault.statusCode()).isEqualTo(200);
            assertThat(lab.device("lab-r0002").faults()).containsExactly(Fault.wrongPassword());
            assertThatThrownBy(() -> ssh.exec(lab.device("lab-r0002"), "show version")).isInstanceOf(Exception.class);
            send("POST", base + "/devices/lab-r0002/fault?kind=latency&value=5");
            assertThat(lab.device("lab-r0002").faults()).contains(Fault.latency(5));
            assertThat(send("DELETE", base + "/devices/lab-r0002/fault").statusCode()).isEqualTo(200);
            assertThat(lab.device("lab-r0002").faults()).isEmpty();

            ssh.exec(lab.device("lab-r0001"), "show version");
            HttpResponse<String> stats = send("GET", base + "/stats");
            assertThat(stats.body()).contains("\"maxConcurrentSessions\": 1").contains("\"lab-r0001\": {");
            assertThat(send("GET", base + "/devices").body()).contains("\"name\": \"lab-r0002\"").contains("SHA256:");
            assertThat(send("GET", base + "/devices/lab-r0001/config").body()).contains("set system host-name lab-r0001\n");
            assertThat(send("POST", base + "/stats/reset").body()).contains("\"totalSessions\": 0");
            assertThat(send("POST", base + "/devices/lab-r9999/fault?kind=hang").statusCode()).isEqualTo(404);
            assertThat(send("POST", base + "/devices/lab-r0001/fault?kind=gremlins").statusCode()).isEqualTo(400);
        }
    }

    @Test
    void publicKeyLoginAndOwnHostKey() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair userKey = generator.generateKeyPair();
        LabConfig config = LabConfig.builder().devices(2).authorizedKey(userKey.getPublic()).ownHostKey("lab-r0002").build();
        try (DeviceLab lab = DeviceLab.start(config); LabSsh ssh = new LabSsh()) {
            LabDevice device = lab.device("lab-r0001");
            try (ClientSession session = ssh.client().connect("lab", device.host(), device.port()).verify(LabSsh.TIMEOUT).getSession()) {
                session.setKeyIdentityProvider(KeyIdentityProvider.wrapKeyPairs(userKey));
                session.auth().verify(LabSsh.TIMEOUT);
                assertThat(LabSsh.exec(session, "show version", LabSsh.TIMEOUT).stdout()).startsWith("Hostname: lab-r0001");
            }
            assertThat(lab.device("lab-r0002").hostKeyFingerprint()).startsWith("SHA256:")
                    .isNotEqualTo(device.hostKeyFingerprint());
        }
    }

    @Test
    void standaloneLaunchWritesInventoryAndKeepsTheHostKeyFile(@TempDir Path dir) throws Exception {
        Path inventory = dir.resolve("inventory.json");
        Path hostKey = dir.resolve("hostkey.pem");
        String[] args = {"--devices", "3", "--linux", "1", "--base-port", "0", "--inventory", inventory.toString(),
            "--admin-port", "0", "--host-key-file", hostKey.toString()};
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        String fingerprint;
        try (DeviceLab lab = DeviceLabMain.launch(args, new PrintStream(printed, true, StandardCharsets.UTF_8))) {
            assertThat(printed.toString(StandardCharsets.UTF_8))
                    .matches("device lab: 4 devices on 127\\.0\\.0\\.1:\\d+-\\d+, admin http://127\\.0\\.0\\.1:\\d+\\R");
            String json = Files.readString(inventory);
            assertThat(json).startsWith("[\n").endsWith("]\n");
            LabDevice first = lab.device("lab-r0001");
            assertThat(json).contains("{\"name\": \"lab-r0001\", \"host\": \"127.0.0.1\", \"port\": " + first.port()
                    + ", \"platform\": \"junos\", \"site\": \"lab-east\", \"tags\": [\"lab\", \"junos\", \"" + first.model()
                    + "\"], \"username\": \"lab\", \"password\": \"lab\", \"hostname\": \"lab-r0001\", \"model\": \""
                    + first.model() + "\", \"serial\": \"" + first.serial() + "\"}");
            assertThat(json).contains("\"name\": \"lab-h0001\"").contains("\"platform\": \"linux\"");
            assertThat(json.lines().filter(line -> line.contains("\"name\"")).count()).isEqualTo(4);
            fingerprint = first.hostKeyFingerprint();
        }
        assertThat(hostKey).exists();
        try (DeviceLab again = DeviceLabMain.launch(args, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8))) {
            assertThat(again.device("lab-r0001").hostKeyFingerprint()).isEqualTo(fingerprint);
        }
    }

    @Test
    void standaloneAcceptsAnOpenSshAuthorizedKeysFile(@TempDir Path dir) throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair userKey = generator.generateKeyPair();
        Path authorizedKeys = dir.resolve("authorized_keys");
        Files.writeString(authorizedKeys, PublicKeyEntry.toString(userKey.getPublic()) + " tester@example\n");
        String[] args = {"--devices", "1", "--base-port", "0", "--authorized-keys", authorizedKeys.toString()};
        try (DeviceLab lab = DeviceLabMain.launch(args, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
                LabSsh ssh = new LabSsh()) {
            LabDevice device = lab.device("lab-r0001");
            try (ClientSession session = ssh.client().connect("lab", device.host(), device.port()).verify(LabSsh.TIMEOUT).getSession()) {
                session.setKeyIdentityProvider(KeyIdentityProvider.wrapKeyPairs(userKey));
                session.auth().verify(LabSsh.TIMEOUT);
                assertThat(LabSsh.exec(session, "show version", LabSsh.TIMEOUT).exitStatus()).isZero();
            }
        }
    }

    @Test
    void fixedBasePortGivesConsecutivePorts() throws Exception {
        // Below Linux's ephemeral range (32768+), so other tests' outgoing sockets cannot take the ports between
        // the probe and the lab's bind; a port another process holds only moves the attempt to another base.
        java.util.Random random = new java.util.Random();
        for (int attempt = 1; ; attempt++) {
            int base = 20_000 + random.nextInt(12_000);
            if (!consecutivePortsFree(base, 3)) {
                continue;
            }
            try (DeviceLab lab = DeviceLab.start(LabConfig.builder().devices(2).linuxDevices(1).basePort(base).build())) {
                assertThat(lab.devices()).extracting(LabDevice::port).containsExactly(base, base + 1, base + 2);
                assertThat(lab.devices()).extracting(LabDevice::name).containsExactly("lab-r0001", "lab-r0002", "lab-h0001");
                return;
            } catch (java.io.IOException taken) {
                if (attempt >= 10 || !String.valueOf(taken.getMessage()).contains("Address already in use")) {
                    throw taken;
                }
            }
        }
    }

    private static boolean consecutivePortsFree(int base, int count) {
        for (int port = base; port < base + count; port++) {
            try (java.net.ServerSocket probe = new java.net.ServerSocket(port, 1, java.net.InetAddress.getLoopbackAddress())) {
                probe.setReuseAddress(true);
            } catch (java.io.IOException inUse) {
                return false;
            }
        }
        return true;
    }

    private HttpResponse<String> send(String method, String uri) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(uri)).method(method, HttpRequest.BodyPublishers.noBody()).build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private static void awaitOpenSessions(DeviceLab lab, int expected) throws InterruptedException {
        long deadline = System.nanoTime() + LabSsh.TIMEOUT.toNanos();
        while (lab.stats().openSessions() != expected && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(lab.stats().openSessions()).isEqualTo(expected);
    }
}
