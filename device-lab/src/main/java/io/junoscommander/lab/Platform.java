package io.junoscommander.lab;

import java.util.Locale;

/** The kind of device a lab endpoint simulates. */
public enum Platform {
    /** A Juniper router with the Junos CLI. */
    JUNOS,
    /** A Debian host with a few bash commands. */
    LINUX;

    /** The name used in the inventory file: {@code junos} or {@code linux}. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }
}
