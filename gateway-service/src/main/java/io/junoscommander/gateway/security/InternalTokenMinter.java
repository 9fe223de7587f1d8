package io.junoscommander.gateway.security;

import io.junoscommander.gateway.GatewayConfig;
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
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Mints the internal token the gateway forwards to services: ES256, issuer {@code junoscommander-gateway}, audience
 * {@code junoscommander-services}, {@code upn}/{@code sub} the user, {@code groups} the expanded roles, 60 s lifetime. A token
 * is reused for a user and role while more than half its life remains, so a busy user costs one signature per 30 s.
 */
@ApplicationScoped
public class InternalTokenMinter {

    public static final String ISSUER = "junoscommander-gateway";
    public static final String AUDIENCE = "junoscommander-services";

    private final PrivateKey key;
    private final Duration lifetime;
    private final Map<String, Minted> cache = new ConcurrentHashMap<>();

    private record Minted(String token, Instant renewAfter) {
    }

    InternalTokenMinter(GatewayConfig config) {
        this.key = config.internalToken().privateKey().filter(pem -> !pem.isBlank()).map(InternalTokenMinter::parse).orElse(null);
        this.lifetime = config.internalToken().lifetime();
    }

    /** The bearer value for a call on behalf of {@code principal}. */
    public String tokenFor(GatewayPrincipal principal) {
        if (key == null) {
            throw new IllegalStateException("INTERNAL_TOKEN_PRIVATE_KEY is not set: the gateway cannot call services");
        }
        String cacheKey = principal.username() + "\n" + principal.role();
        Instant now = Instant.now();
        Minted minted = cache.get(cacheKey);
        if (minted == null || now.isAfter(minted.renewAfter())) {
            String token = Jwt.issuer(ISSUER).audience(AUDIENCE).subject(principal.username()).upn(principal.username())
                    .groups(principal.roles()).issuedAt(now).expiresAt(now.plus(lifetime)).jws().algorithm(SignatureAlgorithm.ES256)
                    .sign(key);
            minted = new Minted(token, now.plus(lifetime.dividedBy(2)));
            if (cache.size() > 10_000) {
                cache.clear();
            }
            cache.put(cacheKey, minted);
        }
        return minted.token();
    }

    static PrivateKey parse(String pem) {
        String base64 = pem.replaceAll("-----(BEGIN|END) [A-Z ]+-----", "").replaceAll("\\s", "");
        try {
            return KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(base64)));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IllegalStateException("INTERNAL_TOKEN_PRIVATE_KEY is not a PKCS#8 EC private key in PEM", e);
        }
    }
}
