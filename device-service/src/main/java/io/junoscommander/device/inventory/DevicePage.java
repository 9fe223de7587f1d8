package io.junoscommander.device.inventory;

import java.util.List;

/** One page of a filtered device list, with the total across all pages. */
public record DevicePage(List<Device> items, long total, int page, int size) {
}
