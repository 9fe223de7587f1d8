package io.junoscommander.infra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class S3ServerTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void storesAndReturnsAnObjectAndLeavesNoProcessOrDataWhenClosed() throws Exception {
        S3Server server = S3Server.start("jc-backups");
        long pid = server.pid();
        Path directory = server.directory();
        try {
            assertThat(server.endpoint()).isEqualTo("http://127.0.0.1:" + server.port());
            byte[] body = "a base backup would be here".getBytes();
            HttpResponse<String> put = http.send(HttpRequest.newBuilder(URI.create(server.endpoint() + "/jc-backups/base/2026/one.tar"))
                    .PUT(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(put.statusCode()).isEqualTo(200);
            assertThat(put.headers().firstValue("ETag")).isPresent();

            HttpResponse<byte[]> get = http.send(HttpRequest.newBuilder(URI.create(server.endpoint() + "/jc-backups/base/2026/one.tar"))
                    .build(), HttpResponse.BodyHandlers.ofByteArray());
            assertThat(get.statusCode()).isEqualTo(200);
            assertThat(get.body()).isEqualTo(body);

            HttpResponse<String> list = http.send(HttpRequest.newBuilder(URI.create(server.endpoint() + "/jc-backups?list-type=2"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(list.body()).contains("<Key>base/2026/one.tar</Key>");
        } finally {
            server.close();
        }
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
        assertThat(directory).doesNotExist();
        assertThatThrownBy(() -> {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", server.port()), 1000);
            }
        }).isInstanceOf(ConnectException.class);
    }

    @Test
    void acceptsSigV4RequestsWithItsAccessKeyAndRefusesUnknownKeys() throws Exception {
        S3Server server = S3Server.shared();
        assertThat(S3Server.shared()).isSameAs(server);
        assertThat(List.of(server.region(), server.accessKeyId(), server.secretAccessKey()))
                .containsExactly("us-east-1", "S3RVER", "S3RVER");
        server.createBucket("jc-signed");
        Path file = Files.createTempFile("jc-s3", ".txt");
        try {
            Files.writeString(file, "signed");
            String url = server.endpoint() + "/jc-signed/object.txt";
            assertThat(curl(server.accessKeyId(), server, "-T", file.toString(), url)).isEqualTo("200");
            assertThat(curl(server.accessKeyId(), server, url)).isEqualTo("200");
            // s3rver 3.7.1 checks the access key id of a SigV4 request, not its signature
            assertThat(curl("NOT-S3RVER", server, url)).isEqualTo("403");
        } finally {
            Files.deleteIfExists(file);
        }
        assertThatThrownBy(() -> server.createBucket("jc-signed")).hasMessageContaining("jc-signed");
    }

    @Test
    void serverExitsWhenItsJvmGoesAwayWithoutCleaningUp() throws Exception {
        S3Server server = S3Server.start();
        try {
            // what the kernel does when the JVM is killed: the server's standard input reaches its end
            server.process().getOutputStream().close();
            assertThat(server.process().waitFor(10, TimeUnit.SECONDS)).isTrue();
        } finally {
            server.close();
        }
    }

    /** A SigV4-signed request, as an S3 SDK sends it (curl signs, the SDK's x-amz-content-sha256 header is required). */
    private static String curl(String accessKeyId, S3Server server, String... request) throws IOException {
        List<String> command = new ArrayList<>(List.of("curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}", "--aws-sigv4",
                "aws:amz:" + server.region() + ":s3", "--user", accessKeyId + ":" + server.secretAccessKey(), "-H",
                "x-amz-content-sha256: UNSIGNED-PAYLOAD"));
        command.addAll(List.of(request));
        return Commands.run(command, TIMEOUT).output().strip();
    }
}
