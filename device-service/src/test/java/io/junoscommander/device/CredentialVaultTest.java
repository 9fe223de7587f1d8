package io.junoscommander.device;

import static io.junoscommander.device.InventoryApiTest.as;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.hasKey;

import io.junoscommander.infra.testing.InfraTestResource;
import io.junoscommander.infra.testing.SharedInfra;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import java.util.UUID;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(InfraTestResource.class)
class CredentialVaultTest {

    // the keys of %test in application.properties
    private static final byte[] OLD_KEY = Base64.getDecoder().decode("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=");
    private static final byte[] NEW_KEY = Base64.getDecoder().decode("ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8=");

    private final String run = UUID.randomUUID().toString().substring(0, 8);

    @Test
    void secretsAreNeverReturnedAndADatabaseDumpHoldsNoPlaintext() {
        String password = "Pw-" + run + "-s3cr3t";
        String key = "-----BEGIN OPENSSH PRIVATE KEY-----\nkey-material-" + run + "\n-----END OPENSSH PRIVATE KEY-----\n";
        String id = as("admin").contentType("application/json").body(Map.of("name", "vault-" + run, "username", "netops", "password",
                password, "privateKey", key, "passphrase", "phrase-" + run)).when().post("/api/v1/credentials").then().statusCode(201)
                .body("hasPassword", equalTo(true)).body("hasPrivateKey", equalTo(true)).body("keyId", equalTo("test-new"))
                .body("$", not(hasKey("password"))).body("$", not(hasKey("privateKey"))).extract().path("id");
        String read = as("viewer").when().get("/api/v1/credentials/" + id).then().statusCode(200).body("username", equalTo("netops"))
                .extract().asString();
        String listed = as("viewer").when().get("/api/v1/credentials").then().statusCode(200).extract().asString();
        assertThat(read + listed).doesNotContain(password).doesNotContain("key-material-" + run).doesNotContain("phrase-" + run);

        String dump = SharedInfra.harness().dumpDatabase();
        assertThat(dump).contains("vault-" + run).doesNotContain(password).doesNotContain("key-material-" + run)
                .doesNotContain("phrase-" + run).doesNotContain(HexFormat.of().formatHex(password.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void credentialNeedsASecretAndOnlyAdminsCreateOne() {
        as("admin").contentType("application/json").body(Map.of("name", "empty-" + run, "username", "u")).when()
                .post("/api/v1/credentials").then().statusCode(400).contentType("application/problem+json");
        as("operator").contentType("application/json").body(Map.of("name", "op-" + run, "username", "u", "password", "p")).when()
                .post("/api/v1/credentials").then().statusCode(403);
    }

    @Test
    void aNameIsTakenOnceAndAReplacementKeepsTheCreationTime() {
        Map<String, Object> first = Map.of("name", "unique-" + run, "username", "u", "password", "p");
        JsonPath created = as("admin").contentType("application/json").body(first).when()
                .post("/api/v1/credentials").then().statusCode(201).extract().jsonPath();
        as("admin").contentType("application/json").body(first).when().post("/api/v1/credentials").then().statusCode(409)
                .contentType("application/problem+json").body("detail", containsString("unique-" + run));
        String other = as("admin").contentType("application/json").body(Map.of("name", "other-" + run, "username", "u", "password",
                "p")).when().post("/api/v1/credentials").then().statusCode(201).extract().path("id");
        as("admin").contentType("application/json").body(first).when().put("/api/v1/credentials/" + other).then().statusCode(409)
                .contentType("application/problem+json");
        String id = created.getString("id");
        String replacedCreatedAt = as("admin").contentType("application/json").body(Map.of("name", "unique-" + run, "username", "v",
                "password", "q")).when().put("/api/v1/credentials/" + id).then().statusCode(200).body("username", equalTo("v"))
                .body("hasPassword", equalTo(true)).extract().path("createdAt");
        String readCreatedAt = as("viewer").when().get("/api/v1/credentials/" + id).then().statusCode(200).body("username", equalTo("v"))
                .extract().path("createdAt");
        Instant createdAt = OffsetDateTime.parse(created.getString("createdAt")).toInstant();
        assertThat(OffsetDateTime.parse(replacedCreatedAt).toInstant()).isEqualTo(createdAt);
        assertThat(OffsetDateTime.parse(readCreatedAt).toInstant()).isEqualTo(createdAt);
        as("admin").contentType("application/json").body(Map.of("name", "ghost-" + run, "username", "u", "password", "p")).when()
                .put("/api/v1/credentials/" + UUID.randomUUID()).then().statusCode(404).contentType("application/problem+json");
    }

    @Test
    void credentialInUseCannotBeDeleted() {
        String id = as("admin").contentType("application/json").body(Map.of("name", "used-" + run, "username", "u", "password", "p"))
                .when().post("/api/v1/credentials").then().statusCode(201).extract().path("id");
        as("admin").contentType("application/json").body(Map.of("name", "dev-used-" + run, "host", "h", "platform", "junos",
                "credentialId", id)).when().post("/api/v1/devices").then().statusCode(201);
        as("admin").when().delete("/api/v1/credentials/" + id).then().statusCode(409).contentType("application/problem+json");
    }

    @Test
    void reencryptionMovesSecretsFromAnOldKeyToTheActiveOne() throws Exception {
        // a credential written while "test-old" was the active key
        UUID id = UUID.randomUUID();
        String password = "old-key-password-" + run;
        byte[] sealed = seal(OLD_KEY, password, "credential:" + id + ":password");
        SharedInfra.harness().queryAsSuperuser("INSERT INTO device.credential (id, name, username, key_id, password_secret) VALUES ('"
                + id + "', 'rotated-" + run + "', 'u', 'test-old', '\\x" + HexFormat.of().formatHex(sealed) + "')");

        as("admin").when().post("/api/v1/credentials/re-encrypt").then().statusCode(200).body("activeKeyId", equalTo("test-new"));

        var row = SharedInfra.harness().queryAsSuperuser(
                "SELECT key_id, encode(password_secret, 'hex') AS secret FROM device.credential WHERE id = '" + id + "'").get(0);
        assertThat(row.get("key_id")).isEqualTo("test-new");
        assertThat(open(NEW_KEY, HexFormat.of().parseHex(row.get("secret")), "credential:" + id + ":password")).isEqualTo(password);
        as("viewer").when().get("/api/v1/credentials/" + id).then().body("keyId", equalTo("test-new"));
    }

    private static byte[] seal(byte[] key, String plaintext, String aad) throws Exception {
        byte[] iv = new byte[12];
        new SecureRandom().nextBytes(iv);
        Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
        cipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, iv));
        cipher.updateAAD(aad.getBytes(StandardCharsets.UTF_8));
        byte[] body = cipher.doFinal(plaintext.getBytes(StandardCharsets.UTF_8));
        return ByteBuffer.allocate(12 + body.length).put(iv).put(body).array();
    }

    private static String open(byte[] key, byte[] blob, String aad) throws Exception {
        Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
        cipher.init(Cipher.DECRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, blob, 0, 12));
        cipher.updateAAD(aad.getBytes(StandardCharsets.UTF_8));
        return new String(cipher.doFinal(blob, 12, blob.length - 12), StandardCharsets.UTF_8);
    }
}
