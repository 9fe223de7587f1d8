package io.junoscommander.gateway;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.hamcrest.Matchers.equalTo;

import io.junoscommander.infra.InfraHarness;
import io.junoscommander.infra.TlsCertificates;
import io.junoscommander.infra.testing.InternalTokens;
import io.junoscommander.infra.testing.PackagedService;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.HttpURLConnection;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Encryption in transit, end to end: a harness of its own whose PgBouncer requires TLS of its clients and whose Redis servers
 * and Sentinels listen on TLS ports only (a CA generated for the run), and the packaged gateway started against it with
 * {@code DB_SSL_MODE=verify-full} and {@code REDIS_TLS=true}. Runs in {@code verify} after the jar is built (failsafe).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class EncryptionInTransitIT {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);
    private static final String ADMIN_PASSWORD = "tls-admin-password";

    private static InfraHarness harness;
    /** The gateway and the backup service with the harness's TLS settings, started together before the first test. */
    private static PackagedService gateway;
    private static PackagedService backup;

    @TempDir
    Path scratch;

    private PackagedService wrongDatabaseCa;
    private PackagedService wrongRedisCa;

    @BeforeAll
    static void startTlsHarnessAndServices() throws IOException {
        // its own harness: the shared one of this JVM (SharedInfra) stays plain for the other tests
        harness = InfraHarness.startForTests("tls", true);
        gateway = launch("gateway-service", "tls-gateway", Map.of());
        // the WAL receiver (pg_receivewal and its monitoring pool) runs; schedules stay off, the test asks for each backup
        Path backups = Files.createTempDirectory("jc-tls-backups");
        backup = launch("backup-service", "tls-backup", Map.of("BACKUP_DIR", backups.toString(),
                "BACKUP_SCHEDULE_FULL", "off", "BACKUP_SCHEDULE_REDIS", "off", "BACKUP_SCHEDULE_CLEANUP", "off", "BACKUP_SCHEDULE_DEVICES",
                "off", "BACKUP_SCHEDULE_DRILL", "off"));
    }

    @AfterAll
    static void stopServicesAndTlsHarness() throws InterruptedException {
        for (PackagedService service : new PackagedService[] {gateway, backup}) {
            if (service != null) {
                service.close();
            }
        }
        if (harness != null) {
            harness.close();
        }
    }

    @Test
    @Order(1)
    void plainClientsAreRefusedWhileTheSameClientsWithTlsGetIn() throws Exception {
        Map<String, String> env = harness.serviceEnvironment();
        String pgBouncer = "jdbc:postgresql://127.0.0.1:" + env.get("DB_PORT") + "/" + env.get("DB_NAME");
        assertThatThrownBy(() -> query(pgBouncer + "?sslmode=disable", env)).isInstanceOf(SQLException.class)
                .hasMessageContaining("SSL required");
        assertThat(query(pgBouncer + "?sslmode=verify-full&sslrootcert=" + env.get("DB_SSL_ROOT_CERT"), env)).isEqualTo("1");

        int master = Integer.parseInt(harness.redisMaster().substring(harness.redisMaster().lastIndexOf(':') + 1));
        int sentinel = harness.settings().ports().sentinels().get(0);
        for (int port : List.of(master, sentinel)) {
            assertThat(plainPing(port)).as("plain PING to port %d", port).doesNotContain("PONG");
            assertThat(tlsPing(port, harness.tlsCertificates().authority())).as("TLS PING to port %d", port).startsWith("+PONG");
        }
    }

    @Test
    @Order(2)
    void gatewayWithVerifyFullServesALoginThroughPgBouncerAndRedisOverTls() {
        gateway.awaitReady();

        String base = gateway.url();
        String token = given().baseUri(base).contentType("application/json").body(Map.of("username", "admin", "password", ADMIN_PASSWORD))
                .when().post("/api/v1/auth/login").then().statusCode(200).extract().path("token");
        // the session the login stored in Redis is found again
        given().baseUri(base).header("Authorization", "Bearer " + token).when().get("/api/v1/auth/me").then().statusCode(200)
                .body("username", equalTo("admin")).body("credential", equalTo("session"));

        // PgBouncer reports the TLS version and cipher of each client connection: the gateway's are all encrypted
        List<Map<String, String>> clients = harness.pgBouncerShow("CLIENTS").stream()
                .filter(client -> harness.settings().user().equals(client.get("user"))).toList();
        assertThat(clients).isNotEmpty().allSatisfy(client -> assertThat(client.get("tls")).startsWith("TLSv1."));
    }

    @Test
    @Order(4)
    void gatewayTrustingAnotherCaNeverBecomesReady() throws Exception {
        Path wrongAuthority = TlsCertificates.generate(scratch.resolve("other-ca")).authority();
        // both started at once: each start is mostly waiting on the JVM
        wrongDatabaseCa = launch("gateway-service", "tls-gateway-wrong-database-ca", Map.of("DB_SSL_ROOT_CERT", wrongAuthority.toString()));
        wrongRedisCa = launch("gateway-service", "tls-gateway-wrong-redis-ca", Map.of("REDIS_TLS_CA_FILE", wrongAuthority.toString()));

        // Redis: the service runs (its database is reachable) but stays unready, its Redis check failing the handshake
        String readiness = awaitAnswer(wrongRedisCa);
        assertThat(readiness).contains("\"status\": \"DOWN\"").contains("SSLHandshakeException");
        Thread.sleep(2000);
        assertThat(PackagedService.status(wrongRedisCa.managementUrl() + "/health/ready")).isEqualTo(503);
        assertThat(wrongRedisCa.isAlive()).isTrue();

        // PostgreSQL's certificate does not chain to the CA given: the migrations cannot connect and the process stops
        assertThat(wrongDatabaseCa.awaitExit(START_TIMEOUT)).as("gateway stops by itself").isTrue();
        assertThat(wrongDatabaseCa.exitValue()).isNotZero();
        assertThat(Files.readString(wrongDatabaseCa.log())).contains("PKIX path building failed");
    }

    @Test
    @Order(3)
    void backupServiceStreamsWalAndTakesRedisAndDatabaseBackupsOverTls() {
        backup.awaitReady();
        String base = backup.url();
        for (String kind : List.of("redis", "postgres-logical")) {
            String id = given().baseUri(base).header("Authorization", InternalTokens.bearer("tls-operator", "operator"))
                    .contentType("application/json").body(Map.of("kind", kind)).when().post("/api/v1/backups").then().statusCode(202)
                    .extract().path("id");
            String status = "running";
            long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
            while ("running".equals(status) && System.nanoTime() < deadline) {
                pause();
                status = given().baseUri(base).header("Authorization", InternalTokens.bearer("tls-operator", "operator")).when()
                        .get("/api/v1/backups/" + id).then().statusCode(200).extract().path("status");
            }
            assertThat(status).as("%s backup over TLS; see %s", kind, backup.log()).isEqualTo("succeeded");
        }

        // every session of the backup role on PostgreSQL is encrypted, the WAL sender feeding pg_receivewal among them
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        List<Map<String, String>> sessions = List.of();
        while (sessions.stream().noneMatch(row -> "walsender".equals(row.get("backend_type"))) && System.nanoTime() < deadline) {
            pause();
            sessions = harness.queryAsSuperuser("SELECT a.backend_type, s.ssl FROM pg_stat_activity a JOIN pg_stat_ssl s USING (pid)"
                    + " WHERE a.usename = 'jc_backup'");
        }
        assertThat(sessions).anySatisfy(row -> assertThat(row.get("backend_type")).isEqualTo("walsender"))
                .allSatisfy(row -> assertThat(row.get("ssl")).isEqualTo("t"));
    }

    private static String query(String url, Map<String, String> env) throws SQLException {
        Properties login = new Properties();
        login.setProperty("user", env.get("DB_USER"));
        login.setProperty("password", env.get("DB_PASSWORD"));
        login.setProperty("connectTimeout", "5");
        try (Connection connection = DriverManager.getConnection(url, login);
                ResultSet rows = connection.createStatement().executeQuery("SELECT 1")) {
            rows.next();
            return rows.getString(1);
        }
    }

    /** {@code PING} in RESP over a plain socket; whatever comes back (nothing, when the server drops a non-TLS peer). */
    private static String plainPing(int port) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 2000);
            socket.setSoTimeout(3000);
            return exchange(socket);
        }
    }

    /** The same {@code PING} over TLS, trusting only {@code authority} and checking that the certificate names 127.0.0.1. */
    private static String tlsPing(int port, Path authority) throws Exception {
        KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
        trusted.load(null, null);
        try (InputStream pem = Files.newInputStream(authority)) {
            trusted.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(pem));
        }
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(trusted);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trust.getTrustManagers(), null);
        try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 2000);
            socket.setSoTimeout(3000);
            SSLParameters parameters = socket.getSSLParameters();
            parameters.setEndpointIdentificationAlgorithm("HTTPS");
            socket.setSSLParameters(parameters);
            return exchange(socket);
        }
    }

    private static String exchange(Socket socket) throws IOException {
        socket.getOutputStream().write("*1\r\n$4\r\nPING\r\n".getBytes(StandardCharsets.US_ASCII));
        socket.getOutputStream().flush();
        byte[] answer = new byte[64];
        try {
            int read = socket.getInputStream().read(answer);
            return read <= 0 ? "" : new String(answer, 0, read, StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            // a reset or a timeout: the server did not answer a plain client
            return "";
        }
    }

    /** Starts a packaged service with the TLS harness's settings and {@code overrides}; does not wait. */
    private static PackagedService launch(String module, String name, Map<String, String> overrides) {
        // C1 only: a test process lives for seconds, and full JIT compilation would compete with it for the CPU
        return PackagedService.of(module).name(name).environment(PackagedService.testEnvironment(harness))
                .environment(Map.of("ADMIN_USERNAME", "admin", "ADMIN_PASSWORD", ADMIN_PASSWORD, "DEVICE_SERVICE_URL",
                        "http://127.0.0.1:1"))
                .environment(overrides).jvmOptions(List.of("-XX:TieredStopAtLevel=1")).readyTimeout(START_TIMEOUT).launch();
    }

    /** The first readiness answer the management port gives (it listens once the application has started). */
    private static String awaitAnswer(PackagedService service) throws IOException {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            assertThat(service.isAlive()).as("service running; see %s", service.log()).isTrue();
            try {
                HttpURLConnection connection = (HttpURLConnection) URI.create(service.managementUrl() + "/health/ready").toURL()
                        .openConnection();
                connection.setConnectTimeout(1000);
                connection.setReadTimeout(5000);
                int code = connection.getResponseCode();
                InputStream body = code >= 400 ? connection.getErrorStream() : connection.getInputStream();
                String text = new String(body.readAllBytes(), StandardCharsets.UTF_8);
                assertThat(code).as("readiness answer %s", text).isEqualTo(503);
                return text;
            } catch (ConnectException e) {
                pause();
            }
        }
        throw new AssertionError("service did not start within " + START_TIMEOUT.toSeconds() + " s; see " + service.log());
    }

    private static void pause() {
        try {
            Thread.sleep(250);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @AfterEach
    void stopWrongCaGateways() {
        for (PackagedService service : new PackagedService[] {wrongDatabaseCa, wrongRedisCa}) {
            if (service != null) {
                service.close();
            }
        }
    }
}
