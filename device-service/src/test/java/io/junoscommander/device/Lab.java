package io.junoscommander.device;

import static io.junoscommander.device.InventoryApiTest.as;

import io.junoscommander.lab.DeviceLab;
import io.junoscommander.lab.LabConfig;
import io.junoscommander.lab.LabDevice;
import io.junoscommander.lab.Platform;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** One device lab per test JVM (Junos devices and Linux hosts over real SSH) and its devices registered in the inventory. */
final class Lab {

    static final int JUNOS = 60;
    static final int LINUX = 4;
    /** A lab "minute" for commit confirmed, so an unconfirmed commit rolls back within the test. */
    static final long MINUTE_MILLIS = 1500;

    private static DeviceLab lab;
    private static final Map<String, String> IDS = new HashMap<>();

    private Lab() {
    }

    static synchronized DeviceLab lab() {
        if (lab == null) {
            try {
                lab = DeviceLab.start(LabConfig.builder().devices(JUNOS).linuxDevices(LINUX).minuteMillis(MINUTE_MILLIS)
                        .ownHostKey("lab-r0060").build());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            Runtime.getRuntime().addShutdownHook(new Thread(lab::close));
            register();
        }
        return lab;
    }

    static List<LabDevice> junos() {
        return lab().devices().stream().filter(d -> d.platform() == Platform.JUNOS).toList();
    }

    static List<LabDevice> linux() {
        return lab().devices().stream().filter(d -> d.platform() == Platform.LINUX).toList();
    }

    /** The inventory id of a lab device. */
    static String id(LabDevice device) {
        lab();
        return IDS.get(device.name());
    }

    private static void register() {
        String credential = as("admin").contentType("application/json").body(Map.of("name", "lab-login", "username", "lab", "password",
                "lab")).when().post("/api/v1/credentials").then().statusCode(201).extract().path("id");
        List<Map<String, Object>> devices = new ArrayList<>();
        for (LabDevice device : lab.devices()) {
            devices.add(Map.of("name", device.name(), "host", device.host(), "port", device.port(), "platform",
                    device.platform() == Platform.JUNOS ? "junos" : "linux", "site", "lab", "tags", List.of("lab"), "credentialId",
                    credential));
        }
        as("admin").contentType("application/json").body(devices).when().post("/api/v1/devices/import").then().statusCode(200);
        List<Map<String, Object>> items = as("viewer").when().get("/api/v1/devices?tag=lab&site=lab&size=1000").then().statusCode(200)
                .extract().path("items");
        for (Map<String, Object> item : items) {
            IDS.put((String) item.get("name"), (String) item.get("id"));
        }
    }
}
