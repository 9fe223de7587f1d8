package io.junoscommander.infra;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Puts the device lab into the local stack's inventory so a newcomer can run a command at once: registers the lab's
 * login as credential {@code lab} and imports the lab's inventory file (existing devices are updated). Goes through the
 * gateway as the admin, like any user would.
 *
 * <pre>ADMIN_PASSWORD=… LocalStackSeed GATEWAY_URL INVENTORY_JSON</pre>
 *
 * (the password in the environment, not on a command line anyone can list)
 */
public final class LocalStackSeed {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private LocalStackSeed() {
    }

    public static void main(String[] args) throws Exception {
        String gateway = args[0];
        String token = "Bearer " + login(gateway, System.getenv("ADMIN_PASSWORD"));
        String inventory = Files.readString(Path.of(args[1]));
        Matcher login = Pattern.compile("\"username\"\\s*:\\s*\"([^\"]*)\"\\s*,\\s*\"password\"\\s*:\\s*\"([^\"]*)\"").matcher(inventory);
        if (!login.find()) {
            throw new IllegalStateException("no username/password in " + args[1]);
        }
        HttpResponse<String> credential = post(gateway + "/api/v1/credentials", token, "{\"name\":\"lab\",\"username\":\""
                + login.group(1) + "\",\"password\":\"" + login.group(2) + "\"}");
        if (credential.statusCode() != 201 && credential.statusCode() != 409) {
            throw new IllegalStateException("credential not created: HTTP " + credential.statusCode() + " " + credential.body());
        }
        // every inventory entry is one JSON object; unknown fields (serial, model, ...) are ignored by the import
        String devices = inventory.replaceAll("\\{\\s*\"name\"", "{\"credentialName\":\"lab\",\"name\"");
        HttpResponse<String> imported = post(gateway + "/api/v1/devices/import?updateExisting=true", token, devices);
        if (imported.statusCode() != 200) {
            throw new IllegalStateException("import failed: HTTP " + imported.statusCode() + " " + imported.body());
        }
        System.out.println("device lab in the inventory: " + imported.body());
        post(gateway + "/api/v1/auth/logout", token, "");
    }

    private static HttpResponse<String> post(String url, String token, String json) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json));
        if (token != null) {
            request.header("Authorization", token);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A session token of the local admin. */
    static String login(String gateway, String password) throws Exception {
        HttpResponse<String> answer = post(gateway + "/api/v1/auth/login", null, "{\"username\":\"admin\",\"password\":\""
                + password + "\"}");
        Matcher token = Pattern.compile("\"token\"\\s*:\\s*\"([^\"]+)\"").matcher(answer.body());
        if (answer.statusCode() != 200 || !token.find()) {
            throw new IllegalStateException("admin login at the gateway failed: HTTP " + answer.statusCode() + " " + answer.body());
        }
        return token.group(1);
    }
}
