package io.junoscommander.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** Renders a kustomization with {@code kubectl kustomize} and hands back its objects; fails when it cannot. */
final class RenderedManifests {

    /** kubectl is on the machine image, not always on PATH: the Google Cloud SDK keeps its own copy. */
    private static final List<Path> KUBECTL_LOCATIONS = List.of(Path.of("/usr/bin/kubectl"), Path.of("/usr/local/bin/kubectl"),
            Path.of("/usr/lib/google-cloud-sdk/bin/kubectl"));
    private static final YAMLMapper YAML = new YAMLMapper();

    private RenderedManifests() {
    }

    /** The repository's root: the tests run in the k8s module's folder. */
    static Path repositoryRoot() {
        Path here = Path.of("").toAbsolutePath();
        return Files.isDirectory(here.resolve("base")) ? here.getParent() : here;
    }

    static Path kubectl() {
        Optional<Path> onPath = Stream.of(System.getenv().getOrDefault("PATH", "").split(":")).filter(dir -> !dir.isBlank())
                .map(dir -> Path.of(dir, "kubectl")).filter(Files::isExecutable).findFirst();
        return onPath.or(() -> KUBECTL_LOCATIONS.stream().filter(Files::isExecutable).findFirst())
                .orElseThrow(() -> new AssertionError("kubectl not found on PATH nor in " + KUBECTL_LOCATIONS
                        + ": the manifests cannot be rendered (install kubectl, the client is enough)"));
    }

    static List<JsonNode> render(String kustomization) {
        Path dir = repositoryRoot().resolve("k8s").resolve(kustomization);
        String yaml = run(List.of(kubectl().toString(), "kustomize", dir.toString()), "kubectl kustomize " + kustomization);
        try (MappingIterator<JsonNode> documents = YAML.readerFor(JsonNode.class).readValues(yaml)) {
            List<JsonNode> objects = new ArrayList<>();
            while (documents.hasNext()) {
                JsonNode object = documents.next();
                if (object != null && !object.isNull() && !object.isEmpty()) {
                    objects.add(object);
                }
            }
            return objects;
        } catch (IOException e) {
            throw new AssertionError("rendered " + kustomization + " is not YAML: " + e.getMessage(), e);
        }
    }

    static List<JsonNode> parseYaml(String yaml) {
        try (MappingIterator<JsonNode> documents = YAML.readerFor(JsonNode.class).readValues(yaml)) {
            List<JsonNode> objects = new ArrayList<>();
            documents.forEachRemaining(object -> {
                if (object != null && !object.isNull() && !object.isEmpty()) {
                    objects.add(object);
                }
            });
            return objects;
        } catch (IOException e) {
            throw new AssertionError("not YAML: " + e.getMessage(), e);
        }
    }

    /** Runs a command to completion (60 s at most) and returns its standard output; anything else is a test failure. */
    static String run(List<String> command, String what) {
        try {
            Path errors = Files.createTempFile("jc-render", ".err");
            try {
                // from "/": a command run as another user (runuser) may not enter a checkout private to root
                Process process = new ProcessBuilder(command).directory(new java.io.File("/")).redirectError(errors.toFile()).start();
                process.getOutputStream().close();
                byte[] output = process.getInputStream().readAllBytes();
                if (!process.waitFor(60, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    throw new AssertionError(what + " did not finish in 60 s");
                }
                if (process.exitValue() != 0) {
                    throw new AssertionError(what + " failed (exit " + process.exitValue() + "): " + Files.readString(errors));
                }
                return new String(output, StandardCharsets.UTF_8);
            } finally {
                Files.deleteIfExists(errors);
            }
        } catch (IOException e) {
            throw new AssertionError(what + " could not run: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(what + " interrupted", e);
        }
    }
}
