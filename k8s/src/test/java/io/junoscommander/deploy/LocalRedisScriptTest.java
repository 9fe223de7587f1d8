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
 * The local overlay's Redis and Sentinel from their rendered start scripts, with the Debian binaries the image holds, as
 * the pods redis-0 and redis-sentinel-0 (their host names, ports and Service names), in a private network and mount
 * namespace ({@code unshare}): the first server starts as master with its password required, the Sentinel finds it
 * under its announced name and requires the password too.
 */
class LocalRedisScriptTest {

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
    void theFirstServerStartsAsMasterAndTheSentinelMonitorsItByNameBothBehindThePassword() throws Exception {
        work = Files.createTempDirectory(Path.of("/var/tmp"), "jc-redis-script");
        Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwxr-xr-x"));
        List<JsonNode> local = RenderedManifests.render("overlays/local");
        for (String name : List.of("redis")) {
            JsonNode scripts = local.stream().filter(o -> "ConfigMap".equals(o.path("kind").asText())
                    && (name + "-scripts").equals(o.path("metadata").path("name").asText())).findFirst()
                    .orElseThrow(() -> new AssertionError("ConfigMap " + name + "-scripts not rendered"));
            Path dir = Files.createDirectory(work.resolve(name));
            scripts.path("data").fields().forEachRemaining(file -> write(dir.resolve(file.getKey()), file.getValue().asText()));
        }
        Path driver = work.resolve("driver.sh");
        try (InputStream in = getClass().getResourceAsStream("/redis-and-sentinel.sh")) {
            Files.write(driver, in.readAllBytes());
        }

        String output = RenderedManifests.run(List.of("unshare", "--mount", "--net", "sh", driver.toString(), work.toString()),
                "Redis and Sentinel start scripts");

        assertThat(output).as(() -> output + log("redis.log") + log("sentinel.log"))
                .contains("check role: master")
                .contains("check without password: NOAUTH")
                .contains("check sentinel without password: NOAUTH")
                .contains("check master: redis-0.redis 6379")
                .contains("check master flags: master\n")
                .contains("check append only file: appendonlydir");
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
