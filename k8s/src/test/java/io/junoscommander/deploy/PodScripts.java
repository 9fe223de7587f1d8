package io.junoscommander.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * A scratch folder holding start scripts of the local overlay, as rendered into their {@code <name>-scripts} ConfigMaps (one
 * sub-folder per ConfigMap), and a driver script from the test resources that runs them the way their pods would: in a
 * private network and mount namespace ({@code unshare}, as root), so fixed ports, {@code /tmp} and host names are the
 * test's own. The driver gets the folder as its argument and prints {@code check <name>: <result>} lines.
 */
final class PodScripts implements AutoCloseable {

    private final Path work;
    private final Path driver;

    private PodScripts(Path work, Path driver) {
        this.work = work;
        this.driver = driver;
    }

    static PodScripts of(String driverResource, String... configMaps) throws IOException {
        // under /var/tmp and readable by all: the scripts run as the postgres or redis user
        Path work = Files.createTempDirectory(Path.of("/var/tmp"), "jc-pod-scripts");
        Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwxr-xr-x"));
        List<JsonNode> local = RenderedManifests.render("overlays/local");
        for (String name : configMaps) {
            JsonNode scripts = local.stream().filter(o -> "ConfigMap".equals(o.path("kind").asText())
                    && (name + "-scripts").equals(o.path("metadata").path("name").asText())).findFirst()
                    .orElseThrow(() -> new AssertionError("ConfigMap " + name + "-scripts not rendered"));
            Path dir = Files.createDirectory(work.resolve(name));
            for (var files = scripts.path("data").fields(); files.hasNext();) {
                var file = files.next();
                Files.writeString(dir.resolve(file.getKey()), file.getValue().asText());
            }
        }
        Path driver = work.resolve("driver.sh");
        try (InputStream in = PodScripts.class.getResourceAsStream("/" + driverResource)) {
            Files.write(driver, in.readAllBytes());
        }
        return new PodScripts(work, driver);
    }

    Path work() {
        return work;
    }

    /** Runs the driver in its own namespaces; its output. */
    String run(String what) {
        return RenderedManifests.run(List.of("unshare", "--mount", "--net", "sh", driver.toString(), work.toString()), what);
    }

    /** A log the driver wrote into the folder, for an assertion's message. */
    String log(String name) {
        try {
            return "\n--- " + name + "\n" + Files.readString(work.resolve(name));
        } catch (IOException e) {
            return "\n--- " + name + ": " + e.getMessage();
        }
    }

    @Override
    public void close() {
        try (Stream<Path> files = Files.walk(work)) {
            files.sorted(Comparator.reverseOrder()).forEach(file -> file.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
