package io.junoscommander.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The local overlay's PgBouncer in front of its PostgreSQL, both from their rendered start scripts, with the Debian
 * binaries the images hold, on the ports and the host name the pods use: in a private network and mount namespace
 * ({@code unshare}), so the fixed ports, {@code /tmp} and the name {@code postgresql} are the test's own.
 */
class LocalPgBouncerScriptTest {

    private Path work;

    @AfterEach
    void clean() throws IOException {
        if (work != null) {
            try (Stream<Path> files = Files.walk(work)) {
                files.sorted(Comparator.reverseOrder()).forEach(file -> file.toFile().delete());
            }
        }
    }

    @Test
    void theServicesUserLogsInThroughPgBouncerInTransactionModeAndAWrongPasswordIsRefused() throws Exception {
        work = Files.createTempDirectory(Path.of("/var/tmp"), "jc-pgbouncer-script");
        Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwxr-xr-x"));
        List<JsonNode> local = RenderedManifests.render("overlays/local");
        for (String name : List.of("postgresql", "pgbouncer")) {
            JsonNode scripts = local.stream().filter(o -> "ConfigMap".equals(o.path("kind").asText())
                    && (name + "-scripts").equals(o.path("metadata").path("name").asText())).findFirst()
                    .orElseThrow(() -> new AssertionError("ConfigMap " + name + "-scripts not rendered"));
            Path dir = Files.createDirectory(work.resolve(name));
            scripts.path("data").fields().forEachRemaining(file -> write(dir.resolve(file.getKey()), file.getValue().asText()));
        }
        Path volume = Files.createDirectory(work.resolve("volume"));
        Files.setOwner(volume, volume.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("postgres"));
        Path driver = work.resolve("driver.sh");
        try (InputStream in = getClass().getResourceAsStream("/pgbouncer-behind-postgresql.sh")) {
            Files.write(driver, in.readAllBytes());
        }

        String output = RenderedManifests.run(List.of("unshare", "--mount", "--net", "sh", driver.toString(), work.toString()),
                "PostgreSQL and PgBouncer start scripts");

        assertThat(output).as(() -> output + log("postgresql.log") + log("pgbouncer.log"))
                .contains("check server: junoscommander@5432")
                .contains("check pool mode: pool_mode = transaction")
                .containsPattern("check wrong password: .*FATAL: +SASL authentication failed");
    }

    private static void write(Path file, String content) {
        try {
            Files.writeString(file, content);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private String log(String name) {
        try {
            return "\n--- " + name + "\n" + Files.readString(work.resolve(name));
        } catch (IOException e) {
            return "\n--- " + name + ": " + e.getMessage();
        }
    }
}
