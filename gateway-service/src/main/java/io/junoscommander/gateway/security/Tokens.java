package io.junoscommander.gateway.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

/**
 * Opaque bearer tokens: 256 random bits, base64url, with a prefix saying what they are ({@code jcs_} session,
 * {@code jct_} API token) so secret scanners and the authentication mechanism recognise them. Only their SHA-256 is stored.
 */
public final class Tokens {

    public static final String SESSION_PREFIX = "jcs_";
    public static final String API_TOKEN_PREFIX = "jct_";

    private static final SecureRandom RANDOM = new SecureRandom();

    private Tokens() {
    }

    public static String newSessionToken() {
        return SESSION_PREFIX + random256();
    }

    public static String newApiToken() {
        return API_TOKEN_PREFIX + random256();
    }

    public static boolean isGatewayToken(String token) {
        return token.startsWith(SESSION_PREFIX) || token.startsWith(API_TOKEN_PREFIX);
    }

    /** Lower-case hex SHA-256 of the whole token. */
    public static String sha256(String token) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 missing", e);
        }
    }

    private static String random256() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
