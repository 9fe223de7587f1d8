package io.junoscommander.device;

import static io.junoscommander.device.InventoryApiTest.as;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import io.junoscommander.infra.testing.InfraTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A peer nobody here wrote: Debian's OpenSSH sshd on a free loopback port with its own configuration, reached through the
 * device service as a {@code linux} device with an ed25519 key and with a password.
 */
@QuarkusTest
@QuarkusTestResource(InfraTestResource.class)
class OpenSshPeerTest {

    private static final String PASSWORD_USER = "jcsshtest";
    private static final String PASSWORD = "Jc-" + UUID.randomUUID();

    private static Path dir;
    private static Process sshd;
    private static int port;

    @BeforeAll
    static void startSshd() throws Exception {
        Path binary = Path.of("/usr/sbin/sshd");
        assertThat(binary).as("OpenSSH server missing: apt-get install openssh-server").isExecutable();
        dir = Files.createTempDirectory(Path.of("/tmp"), "jc-sshd");
        run("ssh-keygen", "-q", "-t", "ecdsa", "-N", "", "-f", dir.resolve("host_key").toString());
        run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "junoscommander-test", "-f", dir.resolve("client_key").toString());
        Files.copy(dir.resolve("client_key.pub"), dir.resolve("authorized_keys"));
        // sshd refuses to start without its privilege separation folder
        Files.createDirectories(Path.of("/run/sshd"));
        ensurePasswordUser();
        try (ServerSocket probe = new ServerSocket(0)) {
            port = probe.getLocalPort();
        }
        Files.writeString(dir.resolve("sshd_config"), String.join("\n", "Port " + port, "ListenAddress 127.0.0.1",
                "HostKey " + dir.resolve("host_key"), "PidFile " + dir.resolve("sshd.pid"), "AuthorizedKeysFile " + dir.resolve(
                        "authorized_keys"), "PasswordAuthentication yes", "KbdInteractiveAuthentication no", "UsePAM no",
                "StrictModes no", "PermitRootLogin yes", "LogLevel ERROR", ""));
        sshd = new ProcessBuilder(binary.toString(), "-D", "-e", "-f", dir.resolve("sshd_config").toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("sshd.log").toFile()).start();
        long deadline = System.currentTimeMillis() + 10_000;
        while (!listening(port)) {
            assertThat(sshd.isAlive()).as("sshd exited: " + Files.readString(dir.resolve("sshd.log"))).isTrue();
            assertThat(System.currentTimeMillis()).as("sshd did not listen").isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    @AfterAll
    static void stopSshd() throws IOException, InterruptedException {
        if (sshd != null) {
            // sshd deletes its pid file as it exits: walking the folder before the exit raced with that deletion (CI failed
            // with NoSuchFileException on sshd.pid)
            sshd.destroy();
            if (!sshd.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                sshd.destroyForcibly().waitFor();
            }
        }
        if (dir != null) {
            try (var paths = Files.walk(dir)) {
                for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(path);
                }
            }
        }
    }

    @Test
    void keyAuthenticationWithAnEd25519Key() throws Exception {
        String user = System.getProperty("user.name");
        String credential = as("admin").contentType("application/json").body(Map.of("name", "openssh-key-" + UUID.randomUUID(),
                "username", user, "privateKey", Files.readString(dir.resolve("client_key")))).when().post("/api/v1/credentials").then()
                .statusCode(201).extract().path("id");
        String device = register(credential);
        JsonPath result = as("operator").contentType("application/json").body(Map.of("commands", List.of("uname -s", "id -un"))).when()
                .post("/api/v1/devices/" + device + "/commands").then().statusCode(200).body("ok", equalTo(true)).extract().jsonPath();
        assertThat(result.getString("results[0].output").strip()).isEqualTo("Linux");
        assertThat(result.getString("results[1].output").strip()).isEqualTo(user);
        assertThat(result.getInt("results[0].exitStatus")).isZero();
        // a failing command keeps its exit status and stderr
        as("operator").contentType("application/json").body(Map.of("commands", List.of("ls /definitely/not/here"))).when()
                .post("/api/v1/devices/" + device + "/commands").then().statusCode(200).body("errorKind", equalTo("command_error"))
                .body("results[0].exitStatus", equalTo(2));
    }

    @Test
    void passwordAuthentication() {
        String credential = as("admin").contentType("application/json").body(Map.of("name", "openssh-pw-" + UUID.randomUUID(),
                "username", PASSWORD_USER, "password", PASSWORD)).when().post("/api/v1/credentials").then().statusCode(201).extract()
                .path("id");
        String device = register(credential);
        as("operator").contentType("application/json").body(Map.of("commands", List.of("whoami"))).when()
                .post("/api/v1/devices/" + device + "/commands").then().statusCode(200).body("ok", equalTo(true))
                .body("results[0].output", org.hamcrest.Matchers.startsWith(PASSWORD_USER));

        String wrong = as("admin").contentType("application/json").body(Map.of("name", "openssh-bad-" + UUID.randomUUID(), "username",
                PASSWORD_USER, "password", "not-the-password")).when().post("/api/v1/credentials").then().statusCode(201).extract()
                .path("id");
        as("operator").contentType("application/json").body(Map.of("commands", List.of("whoami"))).when()
                .post("/api/v1/devices/" + register(wrong) + "/commands").then().statusCode(200).body("errorKind", equalTo("auth_failed"));
    }

    private static String register(String credentialId) {
        return as("admin").contentType("application/json").body(Map.of("name", "openssh-" + UUID.randomUUID(), "host", "127.0.0.1",
                "port", port, "platform", "linux", "credentialId", credentialId)).when().post("/api/v1/devices").then().statusCode(201)
                .extract().path("id");
    }

    /** A local account with a known password (sshd without PAM checks /etc/shadow); tests run as root here and in CI. */
    private static void ensurePasswordUser() throws Exception {
        if (!"root".equals(System.getProperty("user.name"))) {
            throw new IllegalStateException("the OpenSSH password test creates a local user and must run as root");
        }
        new ProcessBuilder("useradd", "-M", "-s", "/bin/sh", PASSWORD_USER).redirectErrorStream(true).start().waitFor(10,
                TimeUnit.SECONDS);
        Process chpasswd = new ProcessBuilder("chpasswd").redirectErrorStream(true).start();
        chpasswd.getOutputStream().write((PASSWORD_USER + ":" + PASSWORD + "\n").getBytes());
        chpasswd.getOutputStream().close();
        assertThat(chpasswd.waitFor(10, TimeUnit.SECONDS) && chpasswd.exitValue() == 0).as("chpasswd").isTrue();
    }

    private static void run(String... command) throws Exception {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        assertThat(process.waitFor(30, TimeUnit.SECONDS) && process.exitValue() == 0).as(String.join(" ", command)).isTrue();
    }

    private static boolean listening(int port) {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
