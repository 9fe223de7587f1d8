package io.junoscommander.gateway.security;

import io.junoscommander.support.security.InternalTokenMinter;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The internal token the gateway forwards for a user, signed by the shared {@link InternalTokenMinter}. A token is reused
 * for a user and role while more than half its life remains, so a busy user costs one ES256 signature per 30 s.
 */
@ApplicationScoped
public class InternalTokenCache {

    private static final int MAX_ENTRIES = 10_000;

    private final InternalTokenMinter minter;
    private final Map<String, Minted> cache = new ConcurrentHashMap<>();

    private record Minted(String token, Instant renewAfter) {
    }

    InternalTokenCache(InternalTokenMinter minter) {
        this.minter = minter;
    }

    /** The bearer value for a call on behalf of {@code principal}. */
    public String tokenFor(GatewayPrincipal principal) {
        String cacheKey = principal.username() + "\n" + principal.role();
        Instant now = Instant.now();
        Minted minted = cache.get(cacheKey);
        if (minted == null || now.isAfter(minted.renewAfter())) {
            minted = new Minted(minter.mint(principal.username(), principal.roles()), now.plus(InternalTokenMinter.LIFETIME.dividedBy(2)));
            if (cache.size() > MAX_ENTRIES) {
                cache.clear();
            }
            cache.put(cacheKey, minted);
        }
        return minted.token();
    }
}
