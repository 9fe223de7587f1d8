package io.junoscommander.backup.devices;

import static io.restassured.RestAssured.given;

import io.junoscommander.infra.testing.InfraTestResource;
import io.junoscommander.infra.testing.InternalTokens;
import io.junoscommander.infra.testing.PackagedService;
import io.junoscommander.lab.DeviceLab;
import io.junoscommander.lab.LabConfig;
import io.junoscommander.lab.LabDevice;
import io.junoscommander.lab.Platform;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.restassured.specification.RequestSpecification;
import java.io.IOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What the device-history tests run against, once per test JVM: the real infrastructure, a device lab (Junos devices and
 * Linux hosts over real SSH), the packaged device-service as its own process ({@code device-service/target/quarkus-app},
 * which the reactor builds before this module), the lab registered in its inventory plus one device nothing answers for.
 */
public class DeviceFleet implements QuarkusTestResourceLifecycleManager {

    static final int JUNOS = 50;
    static final int LINUX = 2;
    static final String UNREACHABLE = "gone-r0001";

    private static DeviceLab lab;
    private static PackagedService deviceService;
    private static String deviceServiceUrl;
    private static final Map<String, String> IDS = new HashMap<>();

    @Override
    public synchronized Map<String, String> start() {
        Map<String, String> config = new HashMap<>(new InfraTestResource().start());
        try {
            if (deviceService == null) {
                launch();
            }
        } catch (IOException e) {
            throw new IllegalStateException("device fleet did not start: " + e.getMessage(), e);
        }
        config.put("DEVICE_SERVICE_URL", deviceServiceUrl);
        config.put("BACKUP_DEVICES_CONCURRENCY", "20");
        config.put("CONFIG_CHANGES_CLAIM_IDLE", "2s");
        return config;
    }

    @Override
    public void stop() {
        // one fleet per test JVM, stopped by the shutdown hook
    }

    private static void launch() throws IOException {
        lab = DeviceLab.start(LabConfig.builder().devices(JUNOS).linuxDevices(LINUX).build());
        Runtime.getRuntime().addShutdownHook(new Thread(lab::close));
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        deviceService = PackagedService.of("device-service").name("device-service-for-backup-tests").maxHeap("384m")
                .environment(PackagedService.testEnvironment())
                .environment(Map.of("CREDENTIAL_KEYS", "it:" + Base64.getEncoder().encodeToString(key), "SSH_CONNECT_TIMEOUT", "3s",
                        "SSH_COMMAND_TIMEOUT", "10s"))
                .readyTimeout(Duration.ofSeconds(120)).start();
        deviceServiceUrl = deviceService.url();
        register();
    }

    private static void register() {
        String credential = device("admin").contentType("application/json").body(Map.of("name", "lab", "username", "lab", "password",
                "lab")).when().post("/api/v1/credentials").then().statusCode(201).extract().path("id");
        List<Map<String, Object>> devices = new ArrayList<>();
        for (LabDevice device : lab.devices()) {
            devices.add(Map.of("name", device.name(), "host", device.host(), "port", device.port(), "platform",
                    device.platform() == Platform.JUNOS ? "junos" : "linux", "site", "lab", "tags", List.of("lab"), "credentialId",
                    credential));
        }
        // nothing listens on this port: the device service answers device-unreachable for it
        devices.add(Map.of("name", UNREACHABLE, "host", "127.0.0.1", "port", PackagedService.freePort(), "platform", "junos", "site",
                "lab", "tags", List.of("lab"), "credentialId", credential));
        device("admin").contentType("application/json").body(devices).when().post("/api/v1/devices/import").then().statusCode(200);
        List<Map<String, Object>> items = device("viewer").when().get("/api/v1/devices?size=1000").then().statusCode(200)
                .extract().path("items");
        items.forEach(item -> IDS.put((String) item.get("name"), (String) item.get("id")));
    }

    static DeviceLab lab() {
        return lab;
    }

    static List<LabDevice> junos() {
        return lab.devices().stream().filter(d -> d.platform() == Platform.JUNOS).toList();
    }

    static String id(String name) {
        return IDS.get(name);
    }

    /** The service's backup directory (another test resource of the module may have chosen it). */
    static Path backupDir() {
        return org.eclipse.microprofile.config.ConfigProvider.getConfig().getValue("junoscommander.backup.dir", Path.class);
    }

    /** A call to the device service as {@code role} (user {@code it-<role>}). */
    static RequestSpecification device(String role) {
        return given().baseUri(deviceServiceUrl).header("Authorization", InternalTokens.bearer("it-" + role, role));
    }

}
