package io.junoscommander.infra;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A certificate authority of its own and a server certificate it signed, made with {@code openssl} for a harness that
 * speaks TLS. The server certificate names {@code localhost} and {@code 127.0.0.1}, so clients can verify the full chain
 * and the host name ({@code verify-full}) against the loopback addresses the harness listens on.
 *
 * @param authority the CA certificate (PEM): what a client trusts
 * @param certificate the server certificate (PEM), signed by {@code authority}
 * @param key the server's private key (PEM, unencrypted)
 */
public record TlsCertificates(Path authority, Path certificate, Path key) {

    private static final Duration OPENSSL_TIMEOUT = Duration.ofSeconds(30);
    private static final String CURVE = "ec_paramgen_curve:prime256v1";

    /**
     * Writes {@code ca.crt}, {@code server.crt} and {@code server.key} into {@code directory} (created if missing). Each
     * call makes a new authority: certificates from another call do not chain to it, which is how a test gets a wrong CA.
     */
    public static TlsCertificates generate(Path folder) {
        // openssl runs from "/" (Commands.run): every path it gets is absolute
        Path directory = folder.toAbsolutePath();
        try {
            Files.createDirectories(directory);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + directory, e);
        }
        TlsCertificates files = new TlsCertificates(directory.resolve("ca.crt"), directory.resolve("server.crt"),
                directory.resolve("server.key"));
        Path authorityKey = directory.resolve("ca.key");
        Path request = directory.resolve("server.csr");
        Path extensions = directory.resolve("server.ext");
        String openssl = DebianBinaries.require("openssl", "openssl").toString();
        openssl(List.of(openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt", CURVE, "-nodes", "-keyout", authorityKey.toString(),
                "-out", files.authority().toString(), "-days", "7", "-subj", "/CN=JunosCommander harness CA " + directory.getFileName(),
                "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"));
        openssl(List.of(openssl, "req", "-new", "-newkey", "ec", "-pkeyopt", CURVE, "-nodes", "-keyout", files.key().toString(),
                "-out", request.toString(), "-subj", "/CN=localhost"));
        try {
            Files.writeString(extensions, """
                    basicConstraints = CA:FALSE
                    keyUsage = critical, digitalSignature, keyEncipherment
                    extendedKeyUsage = serverAuth, clientAuth
                    subjectAltName = DNS:localhost, IP:127.0.0.1
                    """);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + extensions, e);
        }
        // clientAuth too: Redis replicas and Sentinels present this certificate when they connect to each other
        openssl(List.of(openssl, "x509", "-req", "-in", request.toString(), "-CA", files.authority().toString(), "-CAkey",
                authorityKey.toString(), "-CAcreateserial", "-out", files.certificate().toString(), "-days", "7", "-extfile",
                extensions.toString()));
        return files;
    }

    private static void openssl(List<String> command) {
        Commands.runOrFail(command, Map.of(), null, OPENSSL_TIMEOUT);
    }
}
