package io.junoscommander.support.security;

import io.smallrye.jwt.algorithm.SignatureAlgorithm;
import io.smallrye.jwt.build.Jwt;
import jakarta.enterprise.context.ApplicationScoped;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Collection;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Mints the short-lived internal token (ES256, issuer junoscommander-gateway, audience junoscommander-services) that
 * every service verifies. The gateway mints it per request; a service calling another on a user's behalf without a
 * request at hand (a scheduled task) mints it too. Only processes given {@code INTERNAL_TOKEN_PRIVATE_KEY} can.
 */
@ApplicationScoped
public class InternalTokenMinter {

    public static final String ISSUER = "junoscommander-gateway";
    public static final String AUDIENCE = "junoscommander-services";
    public static final Duration LIFETIME = Duration.ofSeconds(60);

    private final Optional<PrivateKey> key;

    InternalTokenMinter(@ConfigProperty(name = "INTERNAL_TOKEN_PRIVATE_KEY") Optional<String> pem) {
        this.key = pem.filter(text -> !text.isBlank()).map(InternalTokenMinter::parse);
    }

    public boolean canMint() {
        return key.isPresent();
    }

    /** A token for {@code user} with {@code roles} (expanded: admin includes operator and viewer). */
    public String mint(String user, Collection<String> roles) {
        PrivateKey signingKey = key.orElseThrow(() -> new IllegalStateException("INTERNAL_TOKEN_PRIVATE_KEY is not configured"));
        return sign(signingKey, user, roles, LIFETIME);
    }

    /**
     * The one way an internal token is made, also by the tests and benchmarks that stand in for the gateway with a key
     * pair of their own.
     */
    public static String sign(PrivateKey signingKey, String user, Collection<String> roles, Duration lifetime) {
        Instant now = Instant.now();
        return Jwt.issuer(ISSUER).audience(AUDIENCE).subject(user).upn(user).groups(Roles.expand(roles)).issuedAt(now)
                .expiresAt(now.plus(lifetime)).jws().algorithm(SignatureAlgorithm.ES256).sign(signingKey);
    }

    private static PrivateKey parse(String pem) {
        String base64 = pem.replaceAll("-----(BEGIN|END) [A-Z ]+-----", "").replaceAll("\\s", "");
        try {
            return KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(base64)));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IllegalStateException("INTERNAL_TOKEN_PRIVATE_KEY is not a PKCS#8 EC private key in PEM form", e);
        }
    }
}
