package io.junoscommander.lab;

/**
 * Standalone entry point of the device lab. The simulated devices arrive with the device issue; until then the lab starts
 * cleanly and waits so the local stack can manage it like any other process.
 */
public final class DeviceLabMain {

    private DeviceLabMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        System.out.println("device lab: no simulated devices yet");
        Thread.currentThread().join();
    }
}
