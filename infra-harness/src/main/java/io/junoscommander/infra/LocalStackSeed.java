package io.junoscommander.infra;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Puts the device lab into the local stack's inventory so a newcomer can run a command at once: registers the lab's
 * login as credential {@code lab} and imports the lab's inventory file (existing devices are updated). Talks to the
 * device service with an internal token signed by the stack's own key, as the gateway would.
 *
 * <pre>LocalStackSeed DEVICE_SERVICE_URL PRIVATE_KEY_PEM INVENTORY_JSON</pre>
 */
public final class LocalStackSeed {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private LocalStackSeed() {
    }

    public static void main(String[] args) throws Exception {
        String service = args[0];
        String token = "Bearer " + token(Files.readString(Path.of(args[1])));
        String inventory = Files.readString(Path.of(args[2]));
        Matcher login = Pattern.compile("\"username\"\\s*:\\s*\"([^\"]*)\"\\s*,\\s*\"password\"\\s*:\\s*\"([^\"]*)\"").matcher(inventory);
        if (!login.find()) {
            throw new IllegalStateException("no username/password in " + args[2]);
        }
        HttpResponse<String> credential = post(service + "/api/v1/credentials", token, "{\"name\":\"lab\",\"username\":\""
                + login.group(1) + "\",\"password\":\"" + login.group(2) + "\"}");
        if (credential.statusCode() != 201 && credential.statusCode() != 409) {
            throw new IllegalStateException("credential not created: HTTP " + credential.statusCode() + " " + credential.body());
        }
        // every inventory entry is one JSON object; unknown fields (serial, model, ...) are ignored by the import
        String devices = inventory.replaceAll("\\{\\s*\"name\"", "{\"credentialName\":\"lab\",\"name\"");
        HttpResponse<String> imported = post(service + "/api/v1/devices/import?updateExisting=true", token, devices);
        if (imported.statusCode() != 200) {
            throw new IllegalStateException("import failed: HTTP " + imported.statusCode() + " " + imported.body());
        }
        System.out.println("device lab in the inventory: " + imported.body());
    }

    private static HttpResponse<String> post(String url, String token, String json) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(60)).header("Authorization", token)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** An ES256 internal token for the local admin, signed with the JDK alone (P1363 gives JOSE's r||s form). */
    static String token(String pem) throws Exception {
        PrivateKey key = KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder()
                .decode(pem.replaceAll("-----(BEGIN|END) [A-Z ]+-----", "").replaceAll("\\s", ""))));
        long now = Instant.now().getEpochSecond();
        Base64.Encoder url = Base64.getUrlEncoder().withoutPadding();
        String header = url.encodeToString("{\"alg\":\"ES256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));
        String claims = url.encodeToString(("{\"iss\":\"junoscommander-gateway\",\"aud\":\"junoscommander-services\",\"sub\":\"admin\","
                + "\"upn\":\"admin\",\"groups\":[\"admin\",\"operator\",\"viewer\"],\"iat\":" + now + ",\"exp\":" + (now + 60) + "}")
                .getBytes(StandardCharsets.UTF_8));
        Signature signer = Signature.getInstance("SHA256withECDSAinP1363Format");
        signer.initSign(key);
        signer.update((header + "." + claims).getBytes(StandardCharsets.US_ASCII));
        return header + "." + claims + "." + url.encodeToString(signer.sign());
    }
}
