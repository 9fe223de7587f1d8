package io.junoscommander.device.inventory;

import java.util.List;

/** Inventory filters; every given one must match (tags: the device carries all of them). */
public record DeviceFilter(List<String> tags, String platform, String site, String namePrefix, Boolean enabled) {

    public static DeviceFilter none() {
        return new DeviceFilter(List.of(), null, null, null, null);
    }
}
