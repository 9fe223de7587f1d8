package io.junoscommander.infra.testing;

import io.junoscommander.support.security.InternalTokenMinter;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * Test stand-in for the gateway's side of the internal token: one EC P-256 key pair per test JVM, given to the service
 * under test as configuration, and tokens minted by the gateway's own {@link InternalTokenMinter}.
 */
public final class InternalTokens {

    private static final KeyPair KEYS = generate();

    private InternalTokens() {
    }

    /** {@code Authorization} header value for {@code user} holding {@code role} (and the roles it includes). */
    public static String bearer(String user, String role) {
        return "Bearer " + token(user, role, Duration.ofSeconds(60));
    }

    public static String token(String user, String role, Duration lifetime) {
        return InternalTokenMinter.sign(KEYS.getPrivate(), user, List.of(role), lifetime);
    }

    /** The configuration the services and the gateway read, under the README's variable names. */
    public static Map<String, String> configuration() {
        return Map.of("INTERNAL_TOKEN_PUBLIC_KEY", pem("PUBLIC KEY", KEYS.getPublic().getEncoded()), "INTERNAL_TOKEN_PRIVATE_KEY",
                pem("PRIVATE KEY", KEYS.getPrivate().getEncoded()));
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der) + "\n-----END " + type
                + "-----\n";
    }

    private static KeyPair generate() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            return generator.generateKeyPair();
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException("no EC P-256 on this JVM", e);
        }
    }
}
